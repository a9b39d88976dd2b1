"""月度技术专家: the monthly expert selection (nominate, vote once, tally at close, history)."""

from __future__ import annotations

from typing import Any

from teamassist.awards import commands, demo, export, jobs
from teamassist.domain import Domain, NavEntry, Wiring, assets_in
from teamassist.events import ExportWithheld, Subscription, on
from teamassist.ports import Workdays


def _subscriptions(_wiring: Wiring) -> list[Subscription[Any]]:
    return [on(ExportWithheld, export.withheld)]


DOMAIN = Domain(
    key="awards",
    models=("teamassist.awards.models",),
    commands=(commands.commands,),
    jobs=(jobs.jobs,),
    api=("teamassist.awards.api:router",),
    pages=("teamassist.awards.pages:router",),
    nav=(NavEntry("/awards", "awards.web.nav"),),
    assets=assets_in("teamassist.awards"),
    demo=demo.load,
    subscriptions=_subscriptions,
    requires=(Workdays,),
)
