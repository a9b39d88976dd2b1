"""Reading the new time of a moved meeting from chat: a date, optionally a time.

Dates: ``2026-10-13``, ``2026/10/13``, ``10-13``, ``10/13``, ``10月13日`` (a date without a
year is the next one on or after today). Times: ``09:00`` / ``9:00``. Without a time the
meeting keeps its local time of day.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from teamassist.exceptions import Invalid

_FULL = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_SHORT = re.compile(r"(\d{1,2})[-/.](\d{1,2})")
_CN = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?")
_TIME = re.compile(r"([01]?\d|2[0-3])[:：]([0-5]\d)")
# anything shaped like a clock time (25:00, 9:75): refused rather than read as the reason
_TIMEISH = re.compile(r"\d{1,2}[:：]\d{1,2}")


def _date(word: str, today: date) -> date | None:
    try:
        if match := _FULL.fullmatch(word):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _CN.fullmatch(word):
            if match[1]:
                return date(int(match[1]), int(match[2]), int(match[3]))
            return _next(int(match[2]), int(match[3]), today)
        if match := _SHORT.fullmatch(word):
            return _next(int(match[1]), int(match[2]), today)
    except ValueError:
        raise Invalid("meetings.error.bad_when", value=word[:40]) from None
    return None


def _next(month: int, day: int, today: date) -> date:
    found = date(today.year, month, day)
    return found if found >= today else date(today.year + 1, month, day)


def split_when(
    words: list[str], *, today: date, zone: str, keep: time
) -> tuple[datetime, list[str]] | None:
    """The date (and time) at the start of ``words`` as UTC, and the words after it; None when
    the first word is no date. Raises ``Invalid`` for a date or a clock time that does not
    exist (``25:00``)."""
    if not words:
        return None
    day = _date(words[0], today)
    if day is None:
        return None
    if not 2000 <= day.year <= 2100:
        raise Invalid("meetings.error.bad_when", value=words[0][:40])
    rest = words[1:]
    at = keep
    if rest and (match := _TIME.fullmatch(rest[0])):
        at = time(int(match[1]), int(match[2]))
        rest = rest[1:]
    elif rest and _TIMEISH.fullmatch(rest[0]):
        raise Invalid("meetings.error.bad_when", value=rest[0][:40])
    local = datetime.combine(day, at, tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC), rest
