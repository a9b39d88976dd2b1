"""The OKR desk: cycles, objectives and key results, alignment, check-ins and scores."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from teamassist.domain import Domain, NavEntry, Wiring, assets_in, later
from teamassist.events import (
    KeyResultNamed,
    ObjectiveFact,
    OkrFacts,
    SourceKnown,
    Subscription,
    on,
)
from teamassist.okr.command_index import COMMANDS
from teamassist.ports import Workdays

_facts = later("teamassist.okr.report_facts:answer")


def _subscriptions(wiring: Wiring) -> list[Subscription[Any]]:
    workdays = wiring.ports.get(Workdays)

    def facts(session: Session, query: OkrFacts) -> tuple[ObjectiveFact, ...]:
        answer: tuple[ObjectiveFact, ...] = _facts(session, query, workdays)
        return answer  # report packs read the OKRs

    return [
        on(KeyResultNamed, later("teamassist.okr.answers:key_result_named")),
        on(OkrFacts, facts),
        on(SourceKnown, later("teamassist.okr.answers:source_known")),
    ]


DOMAIN = Domain(
    key="okr",
    models=("teamassist.okr.models", "teamassist.okr.rhythm_models"),
    commands=COMMANDS,
    jobs=("teamassist.okr.jobs:jobs",),
    api=("teamassist.okr.api:router",),
    pages=("teamassist.okr.pages:router",),
    nav=(NavEntry("/okr", "okr_web.nav"),),
    assets=assets_in("teamassist.okr"),
    demo="teamassist.okr.demo:load",
    subscriptions=_subscriptions,
    requires=(Workdays,),
)
