"""China's working days from ``chinese_calendar``, one cached table per year."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from teamassist.ports import Workdays


@lru_cache(maxsize=128)
def official_days(year: int) -> bytes | None:
    """One 0/1 working-day flag per day of ``year``; None when the year has no official data."""
    first = date(year, 1, 1)
    try:
        chinese_calendar.is_workday(first)  # raises for a year without official data
    except NotImplementedError:
        return None
    # is_workday validates every call (slow); its rule over the package's own tables is
    # "a 调休 workday, or a weekday that is not a holiday" (checked day by day in tests).
    holidays, workdays = chinese_calendar.holidays, chinese_calendar.workdays
    days = (date(year + 1, 1, 1) - first).days
    flags = bytearray(days)
    for i in range(days):
        day = first + timedelta(days=i)
        flags[i] = 1 if day in workdays or (day.weekday() < 5 and day not in holidays) else 0
    return bytes(flags)


def is_official(year: int) -> bool:
    """Whether the official holiday arrangement of ``year`` is known."""
    return official_days(year) is not None


def holiday_name(day: date) -> str | None:
    """The Chinese holiday a date belongs to (a day off or a 调休 working day), if any."""
    try:
        _on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return str(name) if name else None


def provisional_years(workdays: Workdays, first: date, last: date) -> list[int]:
    """The years overlapping [first, last] whose working days are a Monday–Friday guess."""
    return [y for y in range(first.year, last.year + 1) if not workdays.is_official(y)]


class ChinaWorkdays:
    """The ``Workdays`` port over the China calendar (the one working-day implementation)."""

    def is_workday(self, day: date) -> bool:
        """True on a working day; Monday–Friday in a provisional year."""
        flags = official_days(day.year)
        if flags is None:
            return day.weekday() < 5
        return bool(flags[day.timetuple().tm_yday - 1])

    def is_official(self, year: int) -> bool:
        """Whether ``year``'s official holiday arrangement is known."""
        return is_official(year)
