"""The ``.ics`` invitation of one 1on1 occurrence (RFC 5546 iTIP, the ``icalendar`` library).

``METHOD:REQUEST`` while it is on, ``METHOD:CANCEL`` with ``STATUS:CANCELLED`` once cancelled.
The UID comes from the pair and the rule key (``2026-10``), never from a time, so a moved
occurrence keeps it and calendar apps update it in place; ``SEQUENCE`` is bumped on every move
and cancellation (RFC 5545 §3.8.7.4). No agenda goes into it: the file is the same for both
people, and a private note must never travel.

The manager is the ``ORGANIZER``, and both people are ``ATTENDEE`` s (RFC 5545 §3.8.4.1 and
§3.8.4.3; the organizer attends too), each with ``CN`` (their display name). ``CUTYPE`` and
``ROLE=REQ-PARTICIPANT`` go on the ``ATTENDEE`` s alone: §3.8.4.3 gives ``ORGANIZER`` only
``CN``, ``DIR``, ``SENT-BY`` and ``LANGUAGE`` (``ROLE`` and ``CUTYPE``, §3.2.16 and §3.2.3,
describe a participant). The address is ``mailto:`` when an email is known; no domain keeps
a member's email yet (``Member`` has none), so today it is a stable ``urn:uuid:`` made from
the workspace and member ids (RFC 4122 name-based, RFC 5545 allows any URI): a calendar app
then tells the two people apart and matches them across invitations without a mailbox. The
meetings and duty ``.ics`` name no people at all (a meeting goes to groups, a duty shift to
one person), so there is nothing there to follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_DNS, uuid5

from teamassist.clock import ensure_utc
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting

PRODID = "-//Team Assistant//1on1//ZH"
DOMAIN = "teamassist.local"


def uid(pair: OneOnOne, meeting: OneOnOneMeeting) -> str:
    """The occurrence's stable UID."""
    return f"oneonone-{pair.id}-{meeting.key}@{DOMAIN}"


def address(pair: OneOnOne, member_id: int, emails: Mapping[int, str]) -> str:
    """A person's calendar address: ``mailto:`` their email when ``emails`` has one, else
    ``urn:uuid:`` from the workspace and member ids (the same for every invitation)."""
    email = emails.get(member_id, "").strip()
    if email:
        return f"mailto:{email}"
    return f"urn:uuid:{uuid5(NAMESPACE_DNS, f'member-{pair.workspace_id}-{member_id}.{DOMAIN}')}"


def invitation(
    pair: OneOnOne,
    meeting: OneOnOneMeeting,
    *,
    title: str,
    names: Mapping[int, str],
    now: datetime,
    emails: Mapping[int, str] | None = None,
) -> bytes:
    """The occurrence as an iCalendar object (bytes, CRLF lines); ``names`` the display name
    by member id (the CN), ``emails`` an email by member id where known."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if meeting.status == "cancelled" else "REQUEST")
    calendar.add_component(_event(pair, meeting, title=title, names=names, now=now, emails=emails))
    return bytes(calendar.to_ical())


def event_text(
    pair: OneOnOne,
    meeting: OneOnOneMeeting,
    *,
    title: str,
    names: Mapping[int, str],
    now: datetime,
    emails: Mapping[int, str] | None = None,
) -> str:
    """The occurrence's VEVENT block alone (for a person's feed), CRLF lines."""
    event = _event(pair, meeting, title=title, names=names, now=now, emails=emails)
    return bytes(event.to_ical()).decode("utf-8")


def _person(
    pair: OneOnOne,
    member_id: int,
    names: Mapping[int, str],
    emails: Mapping[int, str],
    *,
    attendee: bool,
) -> Any:
    from icalendar import vCalAddress

    found = vCalAddress(address(pair, member_id, emails))
    found.params["cn"] = names.get(member_id, "?")
    if attendee:  # participant parameters: never on the ORGANIZER (RFC 5545 §3.8.4.3)
        found.params["cutype"] = "INDIVIDUAL"
        found.params["role"] = "REQ-PARTICIPANT"
    return found


def _event(
    pair: OneOnOne,
    meeting: OneOnOneMeeting,
    *,
    title: str,
    names: Mapping[int, str],
    now: datetime,
    emails: Mapping[int, str] | None,
) -> Any:
    from icalendar import Event

    known = emails or {}
    event = Event()
    event.add("uid", uid(pair, meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", ensure_utc(now))
    event.add("dtstart", ensure_utc(meeting.start_at))
    event.add("dtend", ensure_utc(meeting.end_at))
    event.add("summary", title)
    event.add("organizer", _person(pair, pair.manager_id, names, known, attendee=False))
    for member_id in (pair.manager_id, pair.report_id):
        event.add("attendee", _person(pair, member_id, names, known, attendee=True))
    if pair.place:
        event.add("location", pair.place)
    if pair.video_url:
        event.add("url", pair.video_url)
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    return event
