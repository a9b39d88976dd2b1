"""Meeting cycles: the weekly core meeting and the period meetings, on the working calendar."""

from __future__ import annotations

from typing import Any

from teamassist.domain import Domain, NavEntry, Wiring, assets_in
from teamassist.events import PersonalCalendar, Subscription, on
from teamassist.meetings import api, calendar, commands, demo, jobs, pages
from teamassist.ports import Workdays


def _subscriptions(_wiring: Wiring) -> list[Subscription[Any]]:
    return [on(PersonalCalendar, calendar.events)]


DOMAIN = Domain(
    key="meetings",
    models=("teamassist.meetings.models",),
    commands=(commands.commands,),
    jobs=(jobs.jobs,),
    api=(api.router,),
    pages=(pages.router,),
    nav=(NavEntry("/meetings", "meetings.web.nav"),),
    assets=assets_in("teamassist.meetings"),
    demo=demo.load,
    subscriptions=_subscriptions,
    requires=(Workdays,),
)
