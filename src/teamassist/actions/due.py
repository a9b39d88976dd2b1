"""Reading a due time as people write it, in the team's zone, and counting how late an item is.

The dates and times are the shared forms of :mod:`teamassist.chat.when` (``2026-12-04``,
``12月4日``, ``12/4``, ``明天``, ``下周一``, ``17:30``, ``下午5点半``, full-width digits, the
seed's ``202612041730``), the date before its time, at the end of the words (or the start).
What is this domain's: a date without a time means the end of that working day, the team's
``actions.end_of_day`` (default 18:00, team-local); the result is UTC, years 2000–2100.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from teamassist.chat import when
from teamassist.clock import PLAN_AHEAD, parse_hhmm
from teamassist.exceptions import Invalid
from teamassist.ports import Workdays

YEARS = range(2000, 2101)
# A deadline word people put before the date (``交表 截止 周五``, ``截止周五``, ``due 12/4``): not
# part of the title. ``前``/``之前``/``以前`` after the date (``周五前``) says the same.
_MARK = re.compile(r"^(?:截止(?:日期|时间)?|截至|due|deadline)[:：]?", re.IGNORECASE)
_BEFORE = re.compile(r"(?:之前|以前|前)[。.!！]*$")


def _plain(words: list[str], end: str) -> list[str]:
    """``words`` with the deadline's own words taken off the end looked at: a ``前`` after the
    date word and a ``截止`` marker before it (a word of its own or glued on)."""
    words = list(words)
    if not words:
        return words
    at = -1 if end == "end" else 0
    last = _BEFORE.sub("", words[at]) or words[at]
    words[at] = last
    if end == "end":
        if len(words) >= 2 and when.time_of(words[-1]) is not None:
            at = -2  # 截止 周五 18:00: the marker is before the date
        marked = _MARK.match(words[at])
        if marked and marked.end() < len(words[at]):
            words[at] = words[at][marked.end() :]  # 截止周五
        before = len(words) + at - 1
        if before >= 0 and _MARK.fullmatch(words[before]):
            del words[before]  # 交表 截止 周五
    else:
        marked = _MARK.match(words[0])
        if marked and marked.end() < len(words[0]):
            words[0] = words[0][marked.end() :]
        elif marked and len(words) > 1:
            words = [_BEFORE.sub("", words[1]) or words[1], *words[2:]]
    return words


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
    ``25:00``), and a year outside 2000–2100 as past or too far."""
    for end in ends:
        try:
            found = when.split_moment(_plain(words, end), today, at_end=end == "end")
        except when.Unreadable as error:
            raise Invalid("actions.error.bad_due", value=error.word[:40]) from None
        if found is not None:
            day, at, rest = found
            return _utc(day, at or parse_hhmm(end_of_day), zone, today), rest
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
    _check_year(at.date(), today)
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(zone))
    return at.astimezone(ZoneInfo("UTC"))


def _check_year(day: date, today: date) -> None:
    """A year a date holds but no due time will (0001, 9999) gets the answer a day in range
    gets, past or too far, as every other reader says (session 14: /销项 … 9999-12-31 said
    "超出了可用范围（2000–2100 年）"), before the zone arithmetic that overflows at the ends."""
    if day.year < YEARS.start:
        raise Invalid("actions.error.due_past", due=day.isoformat())
    if day.year >= YEARS.stop:
        raise Invalid(
            "actions.error.due_too_far",
            due=day.isoformat(),
            latest=(today + PLAN_AHEAD).isoformat(),
        )


def _utc(day: date, at: time, zone: str, today: date) -> datetime:
    _check_year(day, today)
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
