"""China's working days from ``chinese_calendar``, one cached table per year.

A year the State Council has not announced yet (``chinese_calendar`` raises for it) is
*provisional*: Monday–Friday, minus the statutory holidays whose dates the law fixes.
Source: 《全国年节及纪念日放假办法》 as amended by 国务院关于修改《全国年节及纪念日放假办法》的决定
(国务院令第795号, 2024-11-10, in force 2025-01-01), article 2: 元旦 1 day (01-01), 春节 4 days
(农历除夕 and 正月初一–初三), 清明节 1 day (the 清明 solar term), 劳动节 2 days (05-01, 05-02),
端午节 1 day (农历五月初五), 中秋节 1 day (农历八月十五), 国庆节 3 days (10-01..10-03); and
article 6: a holiday for all citizens that falls on a Saturday or Sunday is made up on a working
day (补假), here the next Monday–Friday not already off (also when two holidays share a day, as
中秋 and 国庆 on 2028-10-03). Lunar dates come from ``lunar_python`` (6tail/lunar-python, MIT),
清明 from ``chinese_calendar``'s solar terms; both agree with ``lunardate`` and ``cnlunar``
for 2024–2099 (checked when the library was chosen). The 调休 weekends are not guessed: the
State Council's yearly notice decides them (and usually lengthens 春节 and 国庆 with them), so
a provisional year has fewer days off than the real one and the consumers tell admins the
year is provisional. Every day this rule takes off was off in 2025 and 2026 (checked in tests).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

from teamassist.ports import Workdays


@lru_cache(maxsize=128)
def official_days(year: int) -> bytes | None:
    """One 0/1 working-day flag per day of ``year``; None when the year has no official data."""
    import chinese_calendar  # on first use: ~1.4 MiB of tables (issue 9)

    first = date(year, 1, 1)
    try:
        chinese_calendar.is_workday(first)  # raises for a year without official data
    except NotImplementedError:
        return None
    # is_workday validates every call (slow); its rule over the package's own tables is
    # "a 调休 workday, or a weekday that is not a holiday" (checked day by day in tests).
    holidays, workdays = chinese_calendar.holidays, chinese_calendar.workdays
    days = 366 if calendar.isleap(year) else 365  # not date(year + 1, …): 9999 is the last year
    flags = bytearray(days)
    for i in range(days):
        day = first + timedelta(days=i)
        flags[i] = 1 if day in workdays or (day.weekday() < 5 and day not in holidays) else 0
    return bytes(flags)


# (month, day, name) of the fixed-date statutory days off since 2025; names as chinese_calendar's.
_FIXED_HOLIDAYS = (
    (1, 1, "New Year's Day"),
    (5, 1, "Labour Day"),
    (5, 2, "Labour Day"),
    (10, 1, "National Day"),
    (10, 2, "National Day"),
    (10, 3, "National Day"),
)
# (lunar month, lunar day, name) of the lunar statutory days off after 除夕 (article 2).
_LUNAR_HOLIDAYS = (
    (1, 1, "Spring Festival"),
    (1, 2, "Spring Festival"),
    (1, 3, "Spring Festival"),
    (5, 5, "Dragon Boat Festival"),
    (8, 15, "Mid-autumn Festival"),
)


def _lunar_to_solar(year: int, month: int, day: int) -> date:
    """The Gregorian date of lunar ``year``-``month``-``day`` (not a leap month)."""
    # lunar_python takes ~0.25 s to import: loaded only when a provisional year is asked for.
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(int(solar.getYear()), int(solar.getMonth()), int(solar.getDay()))


@lru_cache(maxsize=128)
def statutory_holidays(year: int) -> tuple[tuple[date, str], ...]:
    """Every statutory day off of ``year`` by the law since 2025 (module docstring) as
    ``(day, chinese_calendar holiday name)``, sorted by day; a day two holidays share is listed
    twice (each owes a day). Lunar holidays of lunar year ``year`` always fall in Gregorian
    ``year`` (正月初一 is between 01-21 and 02-20)."""
    import chinese_calendar  # on first use: ~1.4 MiB of tables (issue 9)

    days = [(date(year, month, day), name) for month, day, name in _FIXED_HOLIDAYS]
    try:
        terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
    except NotImplementedError:
        # chinese_calendar knows the solar terms of 1900–2100 only; 清明 then is not guessed
        # (a date later than 2100 still gets an answer, not a crash).
        terms = []
    days += [(day, "Tomb-sweeping Day") for day, name in terms if name == "清明"]
    days += [(_lunar_to_solar(year, m, d), name) for m, d, name in _LUNAR_HOLIDAYS]
    new_year = _lunar_to_solar(year, 1, 1)
    days.append((new_year - timedelta(days=1), "Spring Festival"))  # 除夕: 腊月 has 29 or 30
    return tuple(sorted(days))


def statutory_days(year: int) -> list[date]:
    """The days of :func:`statutory_holidays` (a shared day twice), sorted. Before 2025 the law
    differed (劳动节 1 day, no 除夕); callers use this only for years without official data."""
    return [day for day, _name in statutory_holidays(year)]


@lru_cache(maxsize=128)
def provisional_days(year: int) -> bytes:
    """One 0/1 working-day flag per day of ``year`` by the provisional rule (module docstring):
    Monday–Friday, statutory days off, each one on a weekend or on a day another holiday
    already took made up (补假) on the next free weekday of the year."""
    first = date(year, 1, 1)
    days = 366 if calendar.isleap(year) else 365  # not date(year + 1, …): 9999 is the last year
    flags = bytearray(1 if (first + timedelta(days=i)).weekday() < 5 else 0 for i in range(days))
    owed: list[date] = []
    taken: set[date] = set()
    for holiday in statutory_days(year):
        if holiday.weekday() >= 5 or holiday in taken:
            owed.append(holiday)
        taken.add(holiday)
        flags[(holiday - first).days] = 0
    for holiday in owed:  # after every holiday is off, so none is made up onto another
        day = holiday + timedelta(days=1)
        while day.year == year and day < date.max and not flags[(day - first).days]:
            day += timedelta(days=1)
        if day.year == year and flags[(day - first).days]:
            flags[(day - first).days] = 0
    return bytes(flags)


def is_official(year: int) -> bool:
    """Whether the official holiday arrangement of ``year`` is known."""
    return official_days(year) is not None


def holiday_name(day: date) -> str | None:
    """The Chinese holiday a date belongs to (a day off or a 调休 working day), if any."""
    import chinese_calendar  # on first use: ~1.4 MiB of tables (issue 9)

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
