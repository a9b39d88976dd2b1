"""China's working days from ``chinese_calendar``, one cached table per year.

A year the State Council has not announced yet (``chinese_calendar`` raises for it) is
*provisional*: Monday–Friday, minus the statutory holidays whose dates are fixed in advance.
Source: 《全国年节及纪念日放假办法》 as amended by 国务院关于修改《全国年节及纪念日放假办法》的决定
(国务院令第795号, 2024-11-10, in force 2025-01-01): 元旦 1 day (01-01), 清明节 1 day (the 清明
solar term), 劳动节 2 days (05-01, 05-02), 国庆节 3 days (10-01..10-03); and its article 6: a
holiday for all citizens that falls on a Saturday or Sunday is made up on a working day (补假),
here the next Monday–Friday not already off. 春节, 端午节 and 中秋节 follow the lunar calendar,
which no pinned library gives, so a provisional year keeps them as working days; nor does it
guess the 调休 weekends (the State Council's yearly notice decides those). Every day this rule
takes off was off in 2025 and 2026 (checked in tests), so the guess errs towards working days.
"""

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


# (month, day) of the fixed-date statutory days off since 2025; 清明 comes from the solar terms.
_FIXED_HOLIDAYS = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))


def statutory_days(year: int) -> list[date]:
    """The statutory days off of ``year`` known without the yearly notice: the fixed dates and
    清明 (the solar term's day, from ``chinese_calendar``), sorted. Before 2025 the law differed
    (劳动节 1 day); callers use this only for years without official data."""
    days = [date(year, month, day) for month, day in _FIXED_HOLIDAYS]
    terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
    days += [day for day, name in terms if name == "清明"]
    return sorted(days)


@lru_cache(maxsize=128)
def provisional_days(year: int) -> bytes:
    """One 0/1 working-day flag per day of ``year`` by the provisional rule (module docstring):
    Monday–Friday, statutory fixed days off, each one on a weekend made up on the next free
    weekday."""
    first = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - first).days
    flags = bytearray(1 if (first + timedelta(days=i)).weekday() < 5 else 0 for i in range(days))
    holidays = statutory_days(year)
    for holiday in holidays:
        flags[(holiday - first).days] = 0
    for holiday in holidays:  # 补假 after every holiday is off, so none is made up onto another
        if holiday.weekday() < 5:
            continue
        day = holiday + timedelta(days=1)
        while day.year == year and not flags[(day - first).days]:
            day += timedelta(days=1)
        if day.year == year:
            flags[(day - first).days] = 0
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
        """True on a working day; in a provisional year Monday–Friday without the fixed
        statutory holidays (:func:`provisional_days`)."""
        flags = official_days(day.year)
        if flags is None:
            flags = provisional_days(day.year)
        return bool(flags[day.timetuple().tm_yday - 1])

    def is_official(self, year: int) -> bool:
        """Whether ``year``'s official holiday arrangement is known."""
        return is_official(year)
