"""Meetings in people's calendars through the ``Calendar`` port: an occurrence is put there when
it is announced (its notice step) and updated when it is moved or cancelled (on a Feishu team,
a Calendar v4 event with the attendees; elsewhere the ``.ics`` invitation and feeds already
are the calendar, and the built-in port does nothing).

The entry's key is ``meetings.occurrence:<id>`` (a move keeps the id); its ``sequence`` is the
occurrence's, bumped by every move and cancellation.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.enums import Role
from teamassist.events import MeetingOccurrenceChanged
from teamassist.meetings import messages
from teamassist.meetings.models import MeetingOccurrence, Status
from teamassist.meetings.settings import Kind
from teamassist.ports import Calendar, CalendarEntry
from teamassist.team.models import Member, Team, TeamMembership


def attendees(session: Session, *, team: Team, occ: MeetingOccurrence) -> tuple[int, ...]:
    """Member ids of who attends, in id order: every active member for a period meeting; for
    the weekly one the core group, else (nobody flagged) the leads and admins, as
    :func:`teamassist.meetings.calendar.attends_weekly` decides for the feeds."""
    rows = session.execute(
        select(TeamMembership.member_id, TeamMembership.role, TeamMembership.core)
        .join(Member, Member.id == TeamMembership.member_id)
        .where(TeamMembership.team_id == team.id, Member.active.is_(True))
        .order_by(TeamMembership.member_id)
    ).all()
    if occ.kind != Kind.WEEKLY.value:
        return tuple(m for m, _, _ in rows)
    if any(core for _, _, core in rows):
        return tuple(m for m, _, core in rows if core)
    leading = {Role.ADMIN.value, Role.LEAD.value}
    return tuple(m for m, role, _ in rows if role in leading)


def entry(session: Session, *, team: Team, occ: MeetingOccurrence) -> CalendarEntry:
    """``occ`` as the port sees it."""
    return CalendarEntry(
        key=f"meetings.occurrence:{occ.id}",
        title=occ.title,
        start_at=occ.start_at,
        end_at=occ.end_at,
        attendee_ids=attendees(session, team=team, occ=occ),
        place=messages.place(occ),
        video_url=occ.video_url or None,
        description="\n".join(
            x for x in (occ.report_title, messages.when(occ.due_at, team), occ.note or "") if x
        ),
        cancelled=occ.status == Status.CANCELLED.value,
        sequence=occ.sequence,
    )


def on_changed(session: Session, event: MeetingOccurrenceChanged, *, port: Calendar) -> None:
    """Put the announced, moved or cancelled occurrence in the calendars."""
    occ = session.get(MeetingOccurrence, event.occurrence_id)
    team = session.get(Team, occ.team_id) if occ is not None else None
    if occ is None or team is None:
        return
    port.schedule(session, team=team, entry=entry(session, team=team, occ=occ), now=event.now)
