"""The one working calendar (China): holidays off, 调休 weekends on, provisional years said."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from teamassist.duty.calendar import WorkCalendar
from teamassist.ports import PortMissing, Ports, Roster, Workdays
from teamassist.workdays import ChinaWorkdays, holiday_name, is_official, provisional_years
from teamassist.workdays.china import provisional_days, statutory_days, statutory_holidays

CN = ChinaWorkdays()


def test_statutory_holidays_off_and_tiaoxiu_weekends_on() -> None:
    assert not CN.is_workday(date(2026, 10, 1))  # National Day, a Thursday
    assert CN.is_workday(date(2026, 10, 10))  # a Saturday worked for National Day
    assert CN.is_workday(date(2026, 2, 14))  # a Saturday worked for the Spring Festival
    assert not CN.is_workday(date(2026, 6, 6))  # an ordinary Saturday
    assert CN.is_workday(date(2026, 6, 8))  # an ordinary Monday
    assert holiday_name(date(2026, 10, 1)) == "National Day"


def test_agrees_with_chinese_calendar_every_day_of_2026() -> None:
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert CN.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_a_year_without_official_data_is_provisional_and_guesses_monday_to_friday() -> None:
    assert CN.is_official(2026) and is_official(2026)
    assert not CN.is_official(2027)
    assert CN.is_workday(date(2027, 1, 4))  # an ordinary Monday
    assert not CN.is_workday(date(2027, 1, 2))  # Saturday
    assert holiday_name(date(2027, 1, 1)) is None  # names come from the official data only
    assert provisional_years(CN, date(2026, 12, 30), date(2027, 1, 4)) == [2027]
    assert provisional_years(CN, date(2026, 1, 1), date(2026, 12, 31)) == []


def test_a_provisional_year_takes_the_fixed_statutory_days_off() -> None:
    # given 2027, which the State Council has not announced yet
    assert not CN.is_official(2027)
    # then 元旦 (a Friday) is off, so no weekly notice goes out on it
    assert not CN.is_workday(date(2027, 1, 1))
    # 清明 is the solar term's day: Monday 2027-04-05
    assert (date(2027, 4, 5), "Tomb-sweeping Day") in statutory_holidays(2027)
    assert not CN.is_workday(date(2027, 4, 5)) and CN.is_workday(date(2027, 4, 6))
    # 劳动节 05-01/05-02 fall on Saturday and Sunday: made up (补假) on Monday 05-03 and
    # Tuesday 05-04; Wednesday 05-05 is a working day (no 调休 is guessed)
    assert not CN.is_workday(date(2027, 5, 3)) and not CN.is_workday(date(2027, 5, 4))
    assert CN.is_workday(date(2027, 5, 5))
    # 国庆 10-01 (Friday) off, 10-02/10-03 (weekend) made up on 10-04 and 10-05
    assert [CN.is_workday(date(2027, 10, d)) for d in range(1, 8)] == [
        False,
        False,
        False,
        False,
        False,
        True,
        True,
    ]
    # no 调休 is guessed: Saturday 2027-09-25 stays a day off
    assert not CN.is_workday(date(2027, 9, 25))


def test_a_provisional_year_takes_the_lunar_holidays_off() -> None:
    # given 2027 and 2028, which the State Council has not announced yet
    assert not CN.is_official(2027) and not CN.is_official(2028)
    holidays = statutory_holidays(2027)
    # then 春节 2027 is 除夕 Friday 02-05 and 初一–初三 02-06..02-08 (lunar_python; 初一
    # 2027-02-06 also in lunardate and cnlunar, and in the 2027 almanac)
    assert [day for day, name in holidays if name == "Spring Festival"] == [
        date(2027, 2, 5),
        date(2027, 2, 6),
        date(2027, 2, 7),
        date(2027, 2, 8),
    ]
    # 初一 and 初二 fall on the weekend: made up on Tuesday 02-09 and Wednesday 02-10
    assert [CN.is_workday(date(2027, 2, d)) for d in range(4, 12)] == [
        True,  # Thursday before 除夕 (the 调休 that usually lengthens 春节 is not guessed)
        False,
        False,
        False,
        False,
        False,
        False,
        True,  # Thursday 02-11
    ]
    # 端午 (五月初五) Wednesday 2027-06-09, 中秋 (八月十五) Wednesday 2027-09-15
    assert (date(2027, 6, 9), "Dragon Boat Festival") in holidays
    assert (date(2027, 9, 15), "Mid-autumn Festival") in holidays
    assert not CN.is_workday(date(2027, 6, 9)) and CN.is_workday(date(2027, 6, 10))
    assert not CN.is_workday(date(2027, 9, 15)) and CN.is_workday(date(2027, 9, 16))
    # 2028: 除夕 Tuesday 01-25, 初一 Wednesday 01-26; 端午 Sunday 05-28 made up on Monday 05-29
    assert [day for day, name in statutory_holidays(2028) if name == "Spring Festival"] == [
        date(2028, 1, 25),
        date(2028, 1, 26),
        date(2028, 1, 27),
        date(2028, 1, 28),
    ]
    assert not CN.is_workday(date(2028, 5, 29)) and CN.is_workday(date(2028, 5, 30))
    # 中秋 2028 is 10-03, a day 国庆 already owns: each holiday owes its own day, so Sunday
    # 10-01 is made up on Wednesday 10-04 and the shared 10-03 on Thursday 10-05
    assert statutory_days(2028).count(date(2028, 10, 3)) == 2
    assert [CN.is_workday(date(2028, 10, d)) for d in range(2, 8)] == [
        False,
        False,
        False,
        False,
        True,  # Friday 10-06
        False,  # Saturday
    ]


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_the_lunar_and_solar_term_dates_are_the_official_holidays(year: int) -> None:
    # given years chinese_calendar has the State Council's arrangement for
    # then every statutory day the rule computes is off there, under the same holiday name;
    # 除夕 and 劳动节's second day only since 2025 (国务院令第795号): 2024-02-09, 除夕, was a
    # working Friday
    for day, name in statutory_holidays(year):
        if year == 2024 and day in (date(2024, 2, 9), date(2024, 5, 2)):
            assert chinese_calendar.is_workday(day) == (day == date(2024, 2, 9))
            continue
        assert chinese_calendar.get_holiday_detail(day) == (True, name), (day, name)


def test_every_provisional_day_off_was_off_in_the_years_under_the_2025_law() -> None:
    # the rule errs towards working days: a weekday it takes off, the official calendar took
    # off (weekends differ only by the 调休 Saturdays it does not guess)
    # (the lunar 春节, 端午, 中秋 and their 补假 included)
    for year in (2025, 2026):
        flags = provisional_days(year)
        day = date(year, 1, 1)
        while day.year == year:
            if day.weekday() < 5 and not flags[day.timetuple().tm_yday - 1]:
                assert not chinese_calendar.is_workday(day), day
            day += timedelta(days=1)
    # and it did take the fixed holidays: 2026-10-05 is the 补假 for Saturday 10-03
    assert not provisional_days(2026)[date(2026, 10, 5).timetuple().tm_yday - 1]


def test_duty_cn_calendar_uses_the_same_days_and_keeps_unknown_years_all_active() -> None:
    duty = WorkCalendar("cn_workdays")
    day = date(2026, 9, 1)
    while day <= date(2026, 10, 31):
        assert duty.is_active(day) == CN.is_workday(day), day
        day += timedelta(days=1)
    # a rotation drops nobody in a provisional year (every day counts), and says it is unknown
    assert duty.is_active(date(2027, 1, 2)) and not duty.is_known(date(2027, 1, 2))


def test_ports_container_provides_and_names_what_is_missing() -> None:
    ports = Ports()
    workdays: Workdays = CN
    ports.provide(Workdays, workdays)
    assert ports.get(Workdays) is CN and ports.has(Workdays) and not ports.has(Roster)
    try:
        ports.get(Roster)
    except PortMissing as exc:
        assert "Roster" in str(exc)
    else:  # pragma: no cover - the line above must raise
        raise AssertionError("a missing port must raise")
    try:
        ports.provide(Workdays, workdays)
    except ValueError as exc:
        assert "twice" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("a port provided twice must raise")


def test_a_year_after_2100_is_answered_without_qingming() -> None:
    # given 2101, past chinese_calendar's solar terms (1900–2100): a 1on1 moved there crashed
    names = {name for _day, name in statutory_holidays(2101)}
    # then the other statutory days are still guessed, 清明 is not, and a day is answered
    assert "Tomb-sweeping Day" not in names and "Spring Festival" in names
    # 元旦 is a Saturday: made up on Monday 01-03; Tuesday works
    assert CN.is_workday(date(2101, 1, 3)) is False
    assert CN.is_workday(date(2101, 1, 4)) is True
    assert CN.is_workday(date(2101, 1, 1)) is False  # 元旦


def test_the_last_year_a_date_can_hold_is_answered() -> None:
    # given 9999 (the breaker moved a 1on1 to 9999-12-31: the day's year-end arithmetic reached
    # year 10000 and every move answered an internal error)
    flags = provisional_days(9999)
    # then the year has its 365 days, and its last day and 元旦 are answered
    assert len(flags) == 365 and len(provisional_days(2028)) == 366
    assert CN.is_workday(date(9999, 12, 31)) is True  # a Friday
    assert CN.is_workday(date(9999, 1, 1)) is False  # 元旦
