"""Reading the new time of a moved meeting from chat: a date, optionally a time.

The dates and times are the shared forms of :mod:`teamassist.chat.when` (``2026-10-13``,
``10月13日``, ``10/13``, ``明天``, ``下周二``, ``09:00``, ``下午3点``, full-width digits), the
date first. What is this domain's: without a time the meeting keeps its local time of day, and
a year outside 2000–2100 is refused as past or too far.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from teamassist.chat import when
from teamassist.clock import PLAN_AHEAD
from teamassist.exceptions import Invalid


def split_when(
    words: list[str], *, today: date, zone: str, keep: time
) -> tuple[datetime, list[str]] | None:
    """The date (and time) at the start of ``words`` as UTC, and the words after it; None when
    the first word is no date. Raises ``Invalid`` for a date or a clock time that does not
    exist (``25:00``)."""
    try:
        found = when.split_moment(words, today)
    except when.Unreadable as error:
        raise Invalid("meetings.error.bad_when", value=error.word[:40]) from None
    if found is None:
        return None
    day, at, rest = found
    check_year(day, latest=today + PLAN_AHEAD)
    local = datetime.combine(day, at or keep, tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC), rest


def check_year(day: date, *, latest: date) -> None:
    """Refuse years a datetime holds but no meeting will (0001, 9999) with the same answers as a
    day in range that is past or too far (``latest``: the plan horizon), never "invalid date",
    and before any time-zone arithmetic, which overflows at 0001-01-01T00:00+01:00 and
    9999-12-31T23:59-12:00. Raises ``Invalid`` ``meetings.error.past`` / ``too_far``."""
    if day.year < 2000:
        raise Invalid("meetings.error.past")
    if day.year > 2100:
        raise Invalid("meetings.error.too_far", latest=latest.isoformat())
