"""Working calendars of rotations: which days are active (turns advance only on those).

Modes:

- ``all``: every day is a duty day (the seed's behaviour).
- ``weekdays``: Monday to Friday.
- ``cn_workdays``: China's working days from the shared working calendar
  (:mod:`teamassist.workdays`) — statutory holidays are off, 调休 weekends are working days.

The shared calendar only has data for years the State Council has announced; any other year is
*unknown* (provisional). A rotation does not guess which days are off there: every day of an
unknown year counts as active (nobody is dropped from the roster), the shifts are marked
provisional, and admins are warned until the data (or their own exception dates) arrive.
Admin exception dates always win over the data.

Lookups are cached per (mode, year) as cumulative counts, so counting active days between two
dates is O(log n) and a year's schedule needs no per-day library calls after the first.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

from teamassist.workdays import holiday_name, official_days

__all__ = ["CalendarMode", "WorkCalendar", "YearTable", "holiday_name", "year_known", "year_table"]


class CalendarMode(StrEnum):
    """How a rotation decides its active days."""

    ALL = "all"
    WEEKDAYS = "weekdays"
    CN_WORKDAYS = "cn_workdays"


@dataclass(frozen=True)
class YearTable:
    """Active flags of one year for one mode, with cumulative counts."""

    known: bool
    active: bytes  # one 0/1 per day of the year
    cumulative: array[int]  # cumulative[i] = active days among the first i


@lru_cache(maxsize=512)
def year_table(mode: str, year: int) -> YearTable:
    """The active days of ``year`` under ``mode`` (cached; unknown CN years are all active)."""
    first = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - first).days
    known = True
    if mode == CalendarMode.CN_WORKDAYS:
        official = official_days(year)
        known = official is not None
        # An unknown year: every day active, so nobody is dropped from the roster.
        flags = bytearray(official if official is not None else b"\x01" * days)
    elif mode == CalendarMode.ALL:
        flags = bytearray(b"\x01" * days)
    elif mode == CalendarMode.WEEKDAYS:
        flags = bytearray(
            1 if (first + timedelta(days=i)).weekday() < 5 else 0 for i in range(days)
        )
    else:
        raise ValueError(f"unknown calendar mode {mode!r}")
    cumulative: array[int] = array("i", [0]) * (days + 1)
    total = 0
    for i in range(days):
        total += flags[i]
        cumulative[i + 1] = total
    return YearTable(known=known, active=bytes(flags), cumulative=cumulative)


def year_known(mode: str, year: int) -> bool:
    """Whether ``mode`` has real data for ``year`` (always true except ``cn_workdays``)."""
    return year_table(mode, year).known


@dataclass
class WorkCalendar:
    """One rotation's calendar: a mode plus the admins' exception dates."""

    mode: str = CalendarMode.ALL
    exceptions: Mapping[date, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Exceptions that differ from the base calendar, as sorted (date, +1/-1) with prefix sums.
        deltas: list[tuple[date, int]] = []
        for day, active in sorted(self.exceptions.items()):
            base = self._base_active(day)
            if active != base:
                deltas.append((day, 1 if active else -1))
        self._exception_days = sorted(self.exceptions)
        self._delta_days = [d for d, _ in deltas]
        self._delta_prefix = [0]
        for _, delta in deltas:
            self._delta_prefix.append(self._delta_prefix[-1] + delta)

    def _base_active(self, day: date) -> bool:
        table = year_table(self.mode, day.year)
        return bool(table.active[day.timetuple().tm_yday - 1])

    def is_active(self, day: date) -> bool:
        """Whether turns advance on ``day``."""
        if day in self.exceptions:
            return bool(self.exceptions[day])
        return self._base_active(day)

    def is_known(self, day: date) -> bool:
        """Whether ``day``'s status comes from real data (or an admin's exception)."""
        return day in self.exceptions or year_table(self.mode, day.year).known

    def active_between(self, start: date, end: date) -> int:
        """The number of active days in [start, end) (negative when end < start)."""
        if end < start:
            return -self.active_between(end, start)
        if end == start:
            return 0
        count = _base_between(self.mode, start, end)
        lo = bisect.bisect_left(self._delta_days, start)
        hi = bisect.bisect_left(self._delta_days, end)
        return count + self._delta_prefix[hi] - self._delta_prefix[lo]

    def day_flags(self, first: date, last: date) -> tuple[bytearray, bytearray]:
        """Active and known flags (0/1) of every day in [first, last], exceptions applied."""
        active = bytearray()
        known = bytearray()
        year = first.year
        while year <= last.year:
            table = year_table(self.mode, year)
            lo = _day_index(first) if year == first.year else 0
            hi = _day_index(last) + 1 if year == last.year else len(table.active)
            active += table.active[lo:hi]
            known += (b"\x01" if table.known else b"\x00") * (hi - lo)
            year += 1
        lo_i = bisect.bisect_left(self._exception_days, first)
        hi_i = bisect.bisect_right(self._exception_days, last)
        for day in self._exception_days[lo_i:hi_i]:
            offset = (day - first).days
            active[offset] = 1 if self.exceptions[day] else 0
            known[offset] = 1
        return active, known

    def next_active(self, day: date, *, limit_days: int = 800) -> date | None:
        """The first active day on or after ``day`` (None if none within ``limit_days``)."""
        for offset in range(limit_days):
            candidate = day + timedelta(days=offset)
            if self.is_active(candidate):
                return candidate
        return None

    def unknown_years(self, start: date, end: date) -> list[int]:
        """Years overlapping [start, end] without real data (CN mode only)."""
        return [y for y in range(start.year, end.year + 1) if not year_known(self.mode, y)]


def _day_index(day: date) -> int:
    return day.timetuple().tm_yday - 1


def _base_between(mode: str, start: date, end: date) -> int:
    """Active days of the base calendar in [start, end), start <= end."""
    first = year_table(mode, start.year)
    if start.year == end.year:
        return int(first.cumulative[_day_index(end)] - first.cumulative[_day_index(start)])
    count = int(first.cumulative[-1] - first.cumulative[_day_index(start)])
    for year in range(start.year + 1, end.year):
        count += int(year_table(mode, year).cumulative[-1])
    return count + int(year_table(mode, end.year).cumulative[_day_index(end)])
