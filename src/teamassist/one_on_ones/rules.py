"""A pair's slot and its occurrences by rule, for any year.

Cadences (the seed's ``meeting_1on1_weekth`` / ``_weekday`` / ``_time``, OKR助理 §1.5):

- **monthly**: the ``nth`` (1–5, 第一个…第五个) ``weekday`` of each month; a month without a
  fifth such weekday takes its last one (Feb 2026 has four Mondays: 第5个周一 → 02-23);
- **weekly**: every ``weekday``;
- **biweekly**: every other ``weekday``, counted from the pair's ``anchor`` date.

A nominal day that is a day off (the ``Workdays`` port: statutory holidays off, 调休 Saturdays
on) moves by the pair's policy, the same words as the meeting series: ``later`` (the next
working day, the default), ``earlier`` (the previous one) or ``keep``. A weekly or biweekly
occurrence whose move would reach the next one's nominal day is dropped rather than doubled
(a long holiday eats that week's 1on1).

Keys are stable per pair: ``2026-10`` (monthly), ``2026-10-01`` (the nominal day otherwise), so
planning again never makes a second row and a moved occurrence keeps its key and its agenda.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from teamassist.chat import when
from teamassist.exceptions import Invalid
from teamassist.ports import Workdays

_MAX_SHIFT = 40  # days a holiday move may look (the longest run of days off is ~10)


class Cadence(StrEnum):
    """How often a pair meets."""

    MONTHLY = "monthly"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"


class HolidayPolicy(StrEnum):
    """Where an occurrence on a day off goes (the meeting series' vocabulary)."""

    LATER = "later"
    EARLIER = "earlier"
    KEEP = "keep"


@dataclass(frozen=True)
class Slot:
    """A pair's rule: ``weekday`` ISO (1 = Monday), ``nth`` 1–5 for monthly (None otherwise),
    ``at`` team-local wall time, ``anchor`` the first day of a biweekly series."""

    cadence: Cadence
    weekday: int
    at: time
    nth: int | None = None
    anchor: date | None = None
    holiday: HolidayPolicy = HolidayPolicy.LATER


@dataclass(frozen=True)
class Planned:
    """One occurrence as the rule has it: ``day`` is the nominal day, ``start`` UTC."""

    key: str
    nominal: date
    day: date
    start: datetime


def nth_weekday(year: int, month: int, nth: int, weekday: int) -> date:
    """The ``nth`` (1–5) ISO ``weekday`` of ``year``-``month``; the last one when the month
    has fewer."""
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.isoweekday()) % 7 + 7 * (nth - 1))
    last = calendar.monthrange(year, month)[1]
    while day.month != month or day.day > last:
        day -= timedelta(days=7)
    return day


def moved(day: date, policy: HolidayPolicy, workdays: Workdays) -> date:
    """``day``, or the working day ``policy`` moves it to when it is a day off."""
    if policy is HolidayPolicy.KEEP:
        return day
    step = timedelta(days=1 if policy is HolidayPolicy.LATER else -1)
    for _ in range(_MAX_SHIFT):
        if workdays.is_workday(day):
            return day
        day += step
    return day


def _start(day: date, at: time, zone: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _nominal_days(slot: Slot, first: date, last: date) -> list[tuple[str, date]]:
    found: list[tuple[str, date]] = []
    if slot.cadence is Cadence.MONTHLY:
        year, month = first.year, first.month
        while date(year, month, 1) <= last:
            day = nth_weekday(year, month, slot.nth or 1, slot.weekday)
            if first <= day <= last:
                found.append((f"{year:04d}-{month:02d}", day))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found
    step = 7 if slot.cadence is Cadence.WEEKLY else 14
    start = slot.anchor or first
    start += timedelta(days=(slot.weekday - start.isoweekday()) % 7)
    if start < first:  # jump to the first cadence day on or after ``first``
        start += timedelta(days=-(-(first - start).days // step) * step)
    day = start
    while day <= last:
        found.append((day.isoformat(), day))
        day += timedelta(days=step)
    return found


def plan(slot: Slot, *, zone: str, workdays: Workdays, first: date, last: date) -> list[Planned]:
    """The occurrences whose nominal day is in [first, last] (team-local dates), by start."""
    nominal = _nominal_days(slot, first, last - timedelta(days=0))
    found: list[Planned] = []
    for index, (key, day) in enumerate(nominal):
        actual = moved(day, slot.holiday, workdays)
        if slot.cadence is not Cadence.MONTHLY:
            following = day + timedelta(days=7 if slot.cadence is Cadence.WEEKLY else 14)
            earlier = found[-1].day if found else None
            if actual >= following or (earlier is not None and actual <= earlier):
                continue
        elif index and found and actual <= found[-1].day:
            continue
        found.append(Planned(key=key, nominal=day, day=actual, start=_start(actual, slot.at, zone)))
    return found


# -- reading a slot from chat ----------------------------------------------------------------------

_WEEKDAYS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "日": 7,
    "天": 7,
    "mon": 1,
    "tue": 2,
    "wed": 3,
    "thu": 4,
    "fri": 5,
    "sat": 6,
    "sun": 7,
}
_NTH = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_TIME = r"(\S+)"  # read by chat.when.time_of: 10:00, １０：００, 下午3点
_DAY = r"(?:周|星期|礼拜)([一二三四五六日天])"
_MONTHLY = re.compile(rf"每月\s*第\s*([1-5一二三四五])\s*个?\s*{_DAY}\s*{_TIME}")
_EVERY = re.compile(rf"(每周|每两周|每隔一周|隔周|双周)\s*{_DAY}\s*{_TIME}")
_EN_MONTHLY = re.compile(
    rf"monthly\s+([1-5])(?:st|nd|rd|th)?\s+(mon|tue|wed|thu|fri|sat|sun)\w*\s+{_TIME}", re.I
)
_EN_EVERY = re.compile(rf"(weekly|biweekly)\s+(mon|tue|wed|thu|fri|sat|sun)\w*\s+{_TIME}", re.I)


def read_slot(text: str) -> tuple[Cadence, int | None, int, time] | None:
    """(cadence, nth, weekday, time) from ``每月第1个周四 10:00``, ``每两周 周三 下午3点``,
    ``每周 周一 9:30``, ``monthly 1st thu 10:00``, ``biweekly wed 15:00`` (full-width digits
    too; the time in any form of :mod:`teamassist.chat.when`); None when ``text`` holds no
    slot. ``第0个`` or ``第6个`` is no slot (the seed offered 第一个…第五个)."""
    text = when.fold(text)
    found: tuple[Cadence, int | None, int, str] | None = None
    if match := _MONTHLY.fullmatch(text):
        found = Cadence.MONTHLY, _NTH[match[1]], _WEEKDAYS[match[2]], match[3]
    elif match := _EVERY.fullmatch(text):
        cadence = Cadence.WEEKLY if match[1] == "每周" else Cadence.BIWEEKLY
        found = cadence, None, _WEEKDAYS[match[2]], match[3]
    elif match := _EN_MONTHLY.fullmatch(text):
        found = Cadence.MONTHLY, int(match[1]), _WEEKDAYS[match[2].lower()], match[3]
    elif match := _EN_EVERY.fullmatch(text):
        found = Cadence(match[1].lower()), None, _WEEKDAYS[match[2].lower()], match[3]
    if found is None:
        return None
    try:
        at = when.time_of(found[3])
    except when.Unreadable:
        return None
    return (found[0], found[1], found[2], at) if at is not None else None


def check(cadence: Cadence, nth: int | None, weekday: int) -> None:
    """Refuse a slot the rule cannot hold (``Invalid``)."""
    if not 1 <= weekday <= 7:
        raise Invalid("one_on_ones.error.bad_weekday", value=weekday)
    if cadence is Cadence.MONTHLY and nth is None:  # not 「收到：。」 (tester s26 B-18)
        raise Invalid("one_on_ones.error.missing_nth")
    if cadence is Cadence.MONTHLY and nth is not None and not 1 <= nth <= 5:
        raise Invalid("one_on_ones.error.bad_nth", value=nth)
