"""A member's 1on1s in their personal calendar feed (duty's member feed URL), answering
:class:`teamassist.events.PersonalCalendar`: each occurrence of a pair they are in, the same
VEVENT as its ``.ics`` invitation (stable UID, SEQUENCE), a cancelled one as CANCELLED. No
agenda text goes in (see :mod:`teamassist.one_on_ones.ical`)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from teamassist.clock import ensure_utc
from teamassist.events import PersonalCalendar
from teamassist.one_on_ones import flows, ical, messages
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting


def events(session: Session, query: PersonalCalendar) -> list[str] | None:
    """The VEVENT blocks of the member's 1on1s in the window (None: none)."""
    rows = session.execute(
        select(OneOnOneMeeting, OneOnOne)
        .join(OneOnOne, OneOnOne.id == OneOnOneMeeting.pair_id)
        .where(
            OneOnOne.team_id == query.team.id,
            or_(OneOnOne.manager_id == query.member.id, OneOnOne.report_id == query.member.id),
            OneOnOneMeeting.start_at < ensure_utc(query.end),
            OneOnOneMeeting.end_at > ensure_utc(query.start),
        )
        .order_by(OneOnOneMeeting.start_at, OneOnOneMeeting.id)
    ).all()
    if not rows:
        return None
    names = flows.names(session, [pair for _, pair in rows])
    return [
        ical.event_text(
            pair, meeting, title=messages.title(pair, names), names=names, now=query.now
        )
        for meeting, pair in rows
    ]
