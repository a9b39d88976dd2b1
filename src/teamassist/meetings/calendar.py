"""A member's meetings in their personal calendar feed (duty's member feed URL), answering
:class:`teamassist.events.PersonalCalendar`.

Who attends what: the period meetings are everyone's; the weekly meeting is the core group's
(members flagged ``core`` in the team), or, in a team that flags nobody, its leads and admins.
Each occurrence is the same VEVENT as its ``.ics`` invitation (stable UID, SEQUENCE), a
cancelled one kept as ``STATUS:CANCELLED`` so subscribed calendars drop it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.clock import ensure_utc
from teamassist.enums import Role
from teamassist.events import PersonalCalendar
from teamassist.meetings import ical
from teamassist.meetings.models import MeetingOccurrence
from teamassist.meetings.settings import Kind
from teamassist.team.models import TeamMembership


def attends_weekly(session: Session, *, team_id: int, member_id: int) -> bool:
    """Whether the member is in the team's core group (or, with none flagged, a lead/admin)."""
    rows = session.execute(
        select(TeamMembership.member_id, TeamMembership.role, TeamMembership.core).where(
            TeamMembership.team_id == team_id
        )
    ).all()
    if any(core for _, _, core in rows):
        return any(m == member_id and core for m, _, core in rows)
    leading = {Role.ADMIN.value, Role.LEAD.value}
    return any(m == member_id and role in leading for m, role, _ in rows)


def events(session: Session, query: PersonalCalendar) -> list[str] | None:
    """The VEVENT blocks of the member's meetings in the window (None: none)."""
    found = list(
        session.scalars(
            select(MeetingOccurrence)
            .where(
                MeetingOccurrence.team_id == query.team.id,
                MeetingOccurrence.start_at < ensure_utc(query.end),
                MeetingOccurrence.end_at > ensure_utc(query.start),
            )
            .order_by(MeetingOccurrence.start_at, MeetingOccurrence.id)
        )
    )
    if not found:
        return None
    weekly = attends_weekly(session, team_id=query.team.id, member_id=query.member.id)
    chosen = [o for o in found if o.kind != Kind.WEEKLY.value or weekly]
    blocks = [ical.event_text(query.team, o, now=query.now) for o in chosen]
    return blocks or None
