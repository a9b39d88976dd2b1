"""The one working calendar (China): holidays off, 调休 weekends on, provisional years said."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from teamassist.duty.calendar import WorkCalendar
from teamassist.ports import PortMissing, Ports, Roster, Workdays
from teamassist.workdays import ChinaWorkdays, holiday_name, is_official, provisional_years

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
    assert CN.is_workday(date(2027, 1, 1))  # a Friday; New Year's Day is not known yet
    assert not CN.is_workday(date(2027, 1, 2))  # Saturday
    assert holiday_name(date(2027, 1, 1)) is None
    assert provisional_years(CN, date(2026, 12, 30), date(2027, 1, 4)) == [2027]
    assert provisional_years(CN, date(2026, 1, 1), date(2026, 12, 31)) == []


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
