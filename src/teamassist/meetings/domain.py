"""Meeting cycles: the weekly core meeting and the period meetings, on the working calendar."""

from __future__ import annotations

from functools import partial
from typing import Any

from teamassist.domain import Domain, NavEntry, Wiring, assets_in, later
from teamassist.events import (
    MeetingOccurrenceChanged,
    PersonalCalendar,
    SourceKnown,
    Subscription,
    on,
)
from teamassist.meetings.command_index import COMMANDS
from teamassist.ports import Calendar, Workdays

# Named by path: the desk's models and handlers are imported on their first use (issue 9).
_changed = later("teamassist.meetings.answers:changed")


def _subscriptions(wiring: Wiring) -> list[Subscription[Any]]:
    port = wiring.ports.get(Calendar)
    return [
        on(PersonalCalendar, later("teamassist.meetings.calendar:events")),
        on(SourceKnown, later("teamassist.meetings.answers:source_known")),
        # a Feishu team's calendars and the meeting's report items follow the meetings
        on(MeetingOccurrenceChanged, partial(_changed, port=port)),
    ]


DOMAIN = Domain(
    key="meetings",
    models=("teamassist.meetings.models",),
    commands=COMMANDS,
    jobs=("teamassist.meetings.jobs:jobs",),
    api=("teamassist.meetings.api:router",),
    pages=("teamassist.meetings.pages:router",),
    nav=(NavEntry("/meetings", "meetings.web.nav"),),
    assets=assets_in("teamassist.meetings"),
    demo="teamassist.meetings.demo:load",
    subscriptions=_subscriptions,
    requires=(Workdays,),
)
