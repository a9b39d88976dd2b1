"""月度技术专家: the monthly expert selection (nominate, vote once, tally at close, history)."""

from __future__ import annotations

from typing import Any

from teamassist.awards.command_index import COMMANDS
from teamassist.domain import Domain, NavEntry, Wiring, assets_in, later
from teamassist.events import ExportWithheld, Subscription, on
from teamassist.ports import Workdays


def _subscriptions(_wiring: Wiring) -> list[Subscription[Any]]:
    return [on(ExportWithheld, later("teamassist.awards.export:withheld"))]


DOMAIN = Domain(
    key="awards",
    models=("teamassist.awards.models",),
    commands=COMMANDS,
    jobs=("teamassist.awards.jobs:jobs",),
    api=("teamassist.awards.api:router",),
    pages=("teamassist.awards.pages:router",),
    nav=(NavEntry("/awards", "awards.web.nav"),),
    assets=assets_in("teamassist.awards"),
    demo="teamassist.awards.demo:load",
    subscriptions=_subscriptions,
    requires=(Workdays,),
)
