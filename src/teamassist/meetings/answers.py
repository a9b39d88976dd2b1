"""What the meetings desk answers other domains' queries and events with.

Named by path in the domain's descriptor, so the desk's models are imported on the first
question, not at start (issue 9)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.events import MeetingOccurrenceChanged, SourceKnown
from teamassist.meetings import calendar_sync, report_tasks
from teamassist.meetings.models import MeetingOccurrence
from teamassist.ports import Calendar
from teamassist.team.models import Team


def source_known(session: Session, query: SourceKnown) -> bool | None:
    """A meeting of the team, for an action item that follows it up."""
    if query.kind != "meeting":
        return None
    found = session.scalar(
        select(MeetingOccurrence.id).where(
            MeetingOccurrence.id == query.source_id, MeetingOccurrence.team_id == query.team.id
        )
    )
    return found is not None


def changed(session: Session, event: MeetingOccurrenceChanged, *, port: Calendar) -> None:
    """A meeting moved or was cancelled: a Feishu team's calendars follow it (``port``, the
    ``Calendar`` port), and so do its report items."""
    calendar_sync.on_changed(session, event, port=port)
    occ = session.get(MeetingOccurrence, event.occurrence_id)
    team = session.get(Team, occ.team_id) if occ is not None else None
    if occ is not None and team is not None:  # its report items follow it
        report_tasks.follow(session, team=team, occ=occ, now=event.now)
