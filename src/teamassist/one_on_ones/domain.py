"""1on1s: a recurring slot per pair on the working calendar, a shared agenda with private
notes, carried-over items, reminders, invitations and a prep pack."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from teamassist.domain import Domain, NavEntry, Wiring, assets_in, later
from teamassist.events import (
    ExportWithheld,
    MemberDeactivated,
    MemberReactivated,
    OneOnOneMeetingChanged,
    PersonalCalendar,
    SourceKnown,
    Subscription,
    on,
)
from teamassist.one_on_ones.command_index import COMMANDS
from teamassist.ports import Calendar, Workdays


def _subscriptions(wiring: Wiring) -> list[Subscription[Any]]:
    port = wiring.ports.get(Calendar)
    workdays = wiring.ports.get(Workdays)
    sync = later("teamassist.one_on_ones.calendar_sync:on_changed")
    tell = later("teamassist.one_on_ones.told:on_changed")

    def changed(session: Session, event: OneOnOneMeetingChanged) -> None:
        sync(session, event, port=port)
        tell(session, event)  # the other party hears of a move or cancel by hand

    leaves = later("teamassist.one_on_ones.departures:on_member_deactivated")
    returns = later("teamassist.one_on_ones.departures:on_member_reactivated")
    return [
        on(PersonalCalendar, later("teamassist.one_on_ones.calendar:events")),
        on(SourceKnown, later("teamassist.one_on_ones.answers:source_known")),
        on(ExportWithheld, later("teamassist.one_on_ones.answers:withheld")),
        on(OneOnOneMeetingChanged, changed),  # a Feishu team's calendars follow the 1on1s
        on(MemberDeactivated, partial(leaves, workdays=workdays)),
        on(MemberReactivated, partial(returns, workdays=workdays)),
    ]


DOMAIN = Domain(
    key="one_on_ones",
    models=("teamassist.one_on_ones.models",),
    commands=COMMANDS,
    jobs=("teamassist.one_on_ones.jobs:jobs",),
    api=("teamassist.one_on_ones.api:router",),
    pages=("teamassist.one_on_ones.pages:router",),
    nav=(NavEntry("/one-on-ones", "one_on_ones.web.nav"),),
    assets=assets_in("teamassist.one_on_ones"),
    demo="teamassist.one_on_ones.demo:load",
    subscriptions=_subscriptions,
    requires=(Workdays,),
)
