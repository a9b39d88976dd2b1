"""The ``.ics`` invitation of one 1on1 occurrence (RFC 5546 iTIP, the ``icalendar`` library).

``METHOD:REQUEST`` while it is on, ``METHOD:CANCEL`` with ``STATUS:CANCELLED`` once cancelled.
The UID comes from the pair and the rule key (``2026-10``), never from a time, so a moved
occurrence keeps it and calendar apps update it in place; ``SEQUENCE`` is bumped on every move
and cancellation (RFC 5545 §3.8.7.4). No agenda goes into it: the file is the same for both
people, and a private note must never travel.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from teamassist.clock import ensure_utc
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting

PRODID = "-//Team Assistant//1on1//ZH"
DOMAIN = "teamassist.local"


def uid(pair: OneOnOne, meeting: OneOnOneMeeting) -> str:
    """The occurrence's stable UID."""
    return f"oneonone-{pair.id}-{meeting.key}@{DOMAIN}"


def invitation(pair: OneOnOne, meeting: OneOnOneMeeting, *, title: str, now: datetime) -> bytes:
    """The occurrence as an iCalendar object (bytes, CRLF lines)."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if meeting.status == "cancelled" else "REQUEST")
    calendar.add_component(_event(pair, meeting, title=title, now=now))
    return bytes(calendar.to_ical())


def event_text(pair: OneOnOne, meeting: OneOnOneMeeting, *, title: str, now: datetime) -> str:
    """The occurrence's VEVENT block alone (for a person's feed), CRLF lines."""
    return bytes(_event(pair, meeting, title=title, now=now).to_ical()).decode("utf-8")


def _event(pair: OneOnOne, meeting: OneOnOneMeeting, *, title: str, now: datetime) -> Any:
    from icalendar import Event

    event = Event()
    event.add("uid", uid(pair, meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", ensure_utc(now))
    event.add("dtstart", ensure_utc(meeting.start_at))
    event.add("dtend", ensure_utc(meeting.end_at))
    event.add("summary", title)
    if pair.place:
        event.add("location", pair.place)
    if pair.video_url:
        event.add("url", pair.video_url)
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    return event
