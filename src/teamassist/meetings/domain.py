"""Meeting cycles: the weekly core meeting and the period meetings, on the working calendar."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.domain import Domain, NavEntry, Wiring, assets_in, later
from teamassist.events import (
    MeetingOccurrenceChanged,
    PersonalCalendar,
    SourceKnown,
    Subscription,
    on,
)
from teamassist.meetings.command_index import COMMANDS
from teamassist.meetings.models import MeetingOccurrence
from teamassist.ports import Calendar, Workdays
from teamassist.team.models import Team


def _source_known(session: Session, query: SourceKnown) -> bool | None:
    """A meeting of the team, for an action item that follows it up."""
    if query.kind != "meeting":
        return None
    found = session.scalar(
        select(MeetingOccurrence.id).where(
            MeetingOccurrence.id == query.source_id, MeetingOccurrence.team_id == query.team.id
        )
    )
    return found is not None


def _subscriptions(wiring: Wiring) -> list[Subscription[Any]]:
    port = wiring.ports.get(Calendar)
    sync = later("teamassist.meetings.calendar_sync:on_changed")
    follow = later("teamassist.meetings.report_tasks:follow")

    def changed(session: Session, event: MeetingOccurrenceChanged) -> None:
        sync(session, event, port=port)
        occ = session.get(MeetingOccurrence, event.occurrence_id)
        team = session.get(Team, occ.team_id) if occ is not None else None
        if occ is not None and team is not None:  # its report items follow it
            follow(session, team=team, occ=occ, now=event.now)

    return [
        on(PersonalCalendar, later("teamassist.meetings.calendar:events")),
        on(SourceKnown, _source_known),
        on(MeetingOccurrenceChanged, changed),  # a Feishu team's calendars follow the meetings
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
