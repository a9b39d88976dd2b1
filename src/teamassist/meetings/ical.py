"""The ``.ics`` invitation of one occurrence (RFC 5546 iTIP through the ``icalendar`` library).

``METHOD:REQUEST`` while it is on, ``METHOD:CANCEL`` with ``STATUS:CANCELLED`` once cancelled.
The UID is derived from the team and the occurrence's rule key (``weekly:2026-10-02``), never
from a time, so a moved meeting keeps it and calendar apps update the event in place;
``SEQUENCE`` is the occurrence's, bumped on every move and cancellation (RFC 5545 §3.8.7.4:
a receiver keeps the event with the highest one). ``icalendar`` is imported on first use, so
serving starts without it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from teamassist.clock import ensure_utc
from teamassist.meetings import messages
from teamassist.meetings.models import MeetingOccurrence, Status
from teamassist.team.models import Team

PRODID = "-//Team Assistant//Meetings//ZH"
DOMAIN = "teamassist.local"


def uid(team: Team, occ: MeetingOccurrence) -> str:
    """The occurrence's stable UID."""
    return f"meeting-{team.id}-{occ.key.replace(':', '-')}@{DOMAIN}"


def invitation(team: Team, occ: MeetingOccurrence, *, now: datetime) -> bytes:
    """The occurrence as an iCalendar object (bytes, CRLF lines)."""
    from icalendar import Calendar

    cancelled = occ.status == Status.CANCELLED.value
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    calendar.add_component(_event(team, occ, now=now))
    return bytes(calendar.to_ical())


def event_text(team: Team, occ: MeetingOccurrence, *, now: datetime) -> str:
    """The occurrence's VEVENT block alone (for a person's feed), CRLF lines."""
    return bytes(_event(team, occ, now=now).to_ical()).decode("utf-8")


def _event(team: Team, occ: MeetingOccurrence, *, now: datetime) -> Any:
    from icalendar import Event

    cancelled = occ.status == Status.CANCELLED.value
    event = Event()
    event.add("uid", uid(team, occ))
    event.add("sequence", occ.sequence)
    event.add("dtstamp", ensure_utc(now))
    event.add("dtstart", ensure_utc(occ.start_at))
    event.add("dtend", ensure_utc(occ.end_at))
    event.add("summary", occ.title)
    event.add("location", messages.place(occ))
    if occ.video_url:
        event.add("url", occ.video_url)
    description = [occ.report_title, messages.when(occ.due_at, team)]
    if occ.video_url:
        description.append(occ.video_url)
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event
