"""The OKR desk: cycles, objectives and key results, alignment, check-ins and scores."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
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
from teamassist.exceptions import DomainError
from teamassist.okr.command_index import COMMANDS
from teamassist.okr.models import KeyResult, Objective
from teamassist.ports import Workdays

_find_key_result = later("teamassist.okr.objectives:find_key_result")
_facts = later("teamassist.okr.report_facts:answer")


def _key_result_named(session: Session, query: KeyResultNamed) -> tuple[int, str] | None:
    """Answer another domain's ``KR-3`` (added for the action-item desk's KR links)."""
    try:
        found: KeyResult = _find_key_result(
            session, team=query.team, ref=query.ref, today=query.today
        )
    except DomainError:  # not a KR ref, or no such KR: no answer
        return None
    return found.id, found.title


def _source_known(session: Session, query: SourceKnown) -> bool | None:
    """A KR or an objective of the team, for an action item that follows it up."""
    if query.kind == "okr_kr":
        wanted = select(KeyResult.id).where(
            KeyResult.id == query.source_id, KeyResult.team_id == query.team.id
        )
    elif query.kind == "okr_objective":
        wanted = select(Objective.id).where(
            Objective.id == query.source_id, Objective.team_id == query.team.id
        )
    else:
        return None
    return session.scalar(wanted) is not None


def _subscriptions(wiring: Wiring) -> list[Subscription[Any]]:
    workdays = wiring.ports.get(Workdays)

    def facts(session: Session, query: OkrFacts) -> tuple[ObjectiveFact, ...]:
        answer: tuple[ObjectiveFact, ...] = _facts(session, query, workdays)
        return answer  # report packs read the OKRs

    return [
        on(KeyResultNamed, _key_result_named),
        on(OkrFacts, facts),
        on(SourceKnown, _source_known),
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
