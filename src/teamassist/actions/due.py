"""Reading a due time as people write it, in the team's zone, and counting how late an item is.

Forms (full-width digits too): ``2026-12-04`` / ``2026/12/4`` / ``2026.12.4``, ``12-04`` /
``12月4日`` (this year, or next year once that day has passed), ``今天`` / ``明天`` / ``后天``,
each optionally followed by a time ``17:30``; and the seed's ``202612041730`` / ``20261204``.
A date without a time means the end of that working day: the team's ``actions.end_of_day``
(default 18:00, team-local). The result is UTC.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from teamassist.chat.parser import ascii_digits
from teamassist.clock import parse_hhmm
from teamassist.exceptions import Invalid
from teamassist.ports import Workdays

_RELATIVE = {"今天": 0, "today": 0, "明天": 1, "tomorrow": 1, "后天": 2}
_FULL = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})")
_SHORT = re.compile(r"([0-9]{1,2})[-/]([0-9]{1,2})")
_CHINESE = re.compile(r"(?:([0-9]{4})年)?([0-9]{1,2})月([0-9]{1,2})[日号]")
_SEED = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})(?:([0-9]{2})([0-9]{2}))?")
_TIME = re.compile(r"([0-9]{1,2})[:：]([0-9]{2})")
YEARS = range(2000, 2101)


def _day(token: str, today: date) -> tuple[date, time | None] | None:
    """The date (and a time, for the seed's form) of one token, or None if it is not one."""
    folded = token.casefold()
    if folded in _RELATIVE:
        return today + timedelta(days=_RELATIVE[folded]), None
    written = ascii_digits(token)
    try:
        if match := _FULL.fullmatch(written):
            year, month, day = (int(p) for p in match.groups())
            return date(year, month, day), None
        if match := _SEED.fullmatch(written):
            year, month, day = (int(p) for p in match.groups()[:3])
            at = None
            if match.group(4) is not None:
                at = time(int(match.group(4)), int(match.group(5)))
            return date(year, month, day), at
        if (match := _CHINESE.fullmatch(written)) or (match := _SHORT.fullmatch(written)):
            groups = match.groups()
            month, day = int(groups[-2]), int(groups[-1])
            if len(groups) == 3 and groups[0] is not None:
                return date(int(groups[0]), month, day), None
            value = date(today.year, month, day)
            return (value if value >= today else date(today.year + 1, month, day)), None
    except ValueError:
        raise Invalid("actions.error.bad_due", value=token[:40]) from None
    return None


def _time(token: str) -> time | None:
    match = _TIME.fullmatch(ascii_digits(token))
    if match is None:
        return None
    try:
        return time(int(match.group(1)), int(match.group(2)))
    except ValueError:
        raise Invalid("actions.error.bad_due", value=token[:40]) from None


def split_due(
    words: list[str],
    *,
    today: date,
    zone: str,
    end_of_day: str,
    ends: tuple[str, ...] = ("end", "start"),
) -> tuple[datetime, list[str]] | None:
    """Find the due time at the end (or else the start) of ``words`` (``ends`` says where to
    look, in order); returns it in UTC and the words left, or None when no end looked at holds
    a date. Raises ``Invalid`` for a date that does not exist (``2026-02-30``) or a year
    outside 2000–2100."""
    for at_end in (end == "end" for end in ends):
        if not words:
            return None
        if at_end:
            pair = words[-2:] if len(words) >= 2 else []
            day_word, rest = (words[-1], words[:-1])
            if len(pair) == 2 and (clock := _time(pair[1])) is not None:
                found = _day(pair[0], today)
                if found is not None:
                    return _utc(found[0], clock, zone), words[:-2]
        else:
            day_word, rest = words[0], words[1:]
            if len(words) >= 2 and (clock := _time(words[1])) is not None:
                found = _day(words[0], today)
                if found is not None:
                    return _utc(found[0], clock, zone), words[2:]
        found = _day(day_word, today)
        if found is not None:
            return _utc(found[0], found[1] or parse_hhmm(end_of_day), zone), rest
    return None


def parse_due(text: str, *, today: date, zone: str, end_of_day: str) -> datetime:
    """One due time, the whole of ``text``; raises ``Invalid`` when it is not one."""
    words = text.split()
    found = split_due(words, today=today, zone=zone, end_of_day=end_of_day)
    if found is None or found[1]:
        raise Invalid("actions.error.bad_due", value=text[:40])
    return found[0]


def parse_written(text: str, *, today: date, zone: str, end_of_day: str) -> datetime:
    """A due time as REST takes it: ISO 8601 with a ``T`` (``2026-12-04T17:30:00+08:00``; no
    offset means team-local) or any form :func:`parse_due` reads. UTC; raises ``Invalid``."""
    value = text.strip()
    if "T" not in value:
        return parse_due(value, today=today, zone=zone, end_of_day=end_of_day)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid("actions.error.bad_due", value=value[:40]) from None
    if at.year not in YEARS:
        raise Invalid("actions.error.due_year", value=at.date().isoformat())
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(zone))
    return at.astimezone(ZoneInfo("UTC"))


def _utc(day: date, at: time, zone: str) -> datetime:
    if day.year not in YEARS:
        raise Invalid("actions.error.due_year", value=day.isoformat())
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))


def working_days_late(workdays: Workdays, due_day: date, today: date) -> int:
    """How many working days after ``due_day`` up to and including ``today`` (0 when ``today``
    is on or before it): 国庆 days do not count, a 调休 Saturday does."""
    count = 0
    day = due_day + timedelta(days=1)
    while day <= today:
        count += workdays.is_workday(day)
        day += timedelta(days=1)
    return count
