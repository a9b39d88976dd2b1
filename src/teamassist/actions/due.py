"""Reading a due time as people write it, in the team's zone, and counting how late an item is.

The dates and times are the shared forms of :mod:`teamassist.chat.when` (``2026-12-04``,
``12月4日``, ``12/4``, ``明天``, ``下周一``, ``17:30``, ``下午5点半``, full-width digits, the
seed's ``202612041730``), the date before its time, at the end of the words (or the start).
What is this domain's: a date without a time means the end of that working day, the team's
``actions.end_of_day`` (default 18:00, team-local); the result is UTC, years 2000–2100.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from teamassist.chat import when
from teamassist.clock import parse_hhmm
from teamassist.exceptions import Invalid
from teamassist.ports import Workdays

YEARS = range(2000, 2101)


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
    a date. Raises ``Invalid`` for a date or time that does not exist (``2026-02-30``,
    ``25:00``) or a year outside 2000–2100."""
    for end in ends:
        try:
            found = when.split_moment(words, today, at_end=end == "end")
        except when.Unreadable as error:
            raise Invalid("actions.error.bad_due", value=error.word[:40]) from None
        if found is not None:
            day, at, rest = found
            return _utc(day, at or parse_hhmm(end_of_day), zone), rest
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
