"""1on1s in people's calendars through the ``Calendar`` port: each occurrence is put there when
it is planned, and updated when it is moved or cancelled (on a Feishu team, a Calendar v4 event
with the manager and the report as attendees; elsewhere the ``.ics`` invitation and the
personal feeds already are the calendar, and the built-in port does nothing).

The entry's key is ``one_on_ones.meeting:<id>`` (a move keeps the id), its ``sequence`` the
occurrence's (bumped by every move and cancellation), so the event is made once and a late,
older state is ignored. As in the ``.ics``, no agenda goes in: the event is the same for both
people, and a private note must never travel.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.clock import ensure_utc
from teamassist.events import OneOnOneMeetingChanged
from teamassist.one_on_ones import flows, messages, service
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting
from teamassist.ports import Calendar, CalendarEntry
from teamassist.team.models import Team

KEY = "one_on_ones.meeting:{id}"


def entry(session: Session, *, pair: OneOnOne, meeting: OneOnOneMeeting) -> CalendarEntry:
    """``meeting`` as the port sees it: the pair's title, both people attending (manager
    first), the pair's place and video link."""
    names = flows.names(session, [pair])
    return CalendarEntry(
        key=KEY.format(id=meeting.id),
        title=messages.title(pair, names),
        start_at=ensure_utc(meeting.start_at),
        end_at=ensure_utc(meeting.end_at),
        attendee_ids=(pair.manager_id, pair.report_id),
        place=pair.place or "",
        video_url=pair.video_url or None,
        description=meeting.note or "",
        cancelled=meeting.status == service.CANCELLED,
        sequence=meeting.sequence,
    )


def put(
    session: Session, *, team: Team, meeting: OneOnOneMeeting, port: Calendar, now: datetime
) -> None:
    """Hand ``meeting``'s current state to the port (queued in this transaction)."""
    pair = session.get(OneOnOne, meeting.pair_id)
    if pair is None:
        return
    port.schedule(session, team=team, entry=entry(session, pair=pair, meeting=meeting), now=now)


def on_changed(session: Session, event: OneOnOneMeetingChanged, *, port: Calendar) -> None:
    """Put the planned, moved or cancelled occurrence in the two people's calendars."""
    meeting = session.get(OneOnOneMeeting, event.meeting_id)
    team = session.get(Team, meeting.team_id) if meeting is not None else None
    if meeting is None or team is None:
        return
    put(session, team=team, meeting=meeting, port=port, now=event.now)


def put_upcoming(
    session: Session, *, team: Team, port: Calendar, now: datetime, days: int = 30
) -> int:
    """Hand every occurrence of ``team`` starting in the next ``days`` days to the port (the
    daily job's catch-up: one planned before the calendar was wired, or whose operation an
    admin dropped). The Feishu port queues nothing for a state it already asked for, so this
    is cheap and makes no duplicate; returns how many were handed over."""
    rows = session.scalars(
        select(OneOnOneMeeting)
        .where(
            OneOnOneMeeting.team_id == team.id,
            OneOnOneMeeting.start_at > ensure_utc(now),
            OneOnOneMeeting.start_at <= ensure_utc(now) + timedelta(days=days),
        )
        .order_by(OneOnOneMeeting.start_at, OneOnOneMeeting.id)
    ).all()
    for meeting in rows:
        put(session, team=team, meeting=meeting, port=port, now=now)
    return len(rows)
