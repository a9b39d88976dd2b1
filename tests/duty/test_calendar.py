"""Working calendars: China's holidays and 调休 weekends, unknown years, exception dates."""

from __future__ import annotations

from datetime import date, time, timedelta

import chinese_calendar
from hypothesis import given, settings
from hypothesis import strategies as st

from teamassist.duty.calendar import WorkCalendar, holiday_name, year_known
from teamassist.duty.rotation import CompiledRotation, RotationSpec, VersionSpec, day_start

TZ = "Asia/Shanghai"


def cn_rotation(anchor: date, members: tuple[int, ...] = (1, 2, 3)) -> CompiledRotation:
    return CompiledRotation(
        RotationSpec(
            id=1,
            timezone=TZ,
            versions=(
                VersionSpec(
                    effective_at=day_start(anchor, time(3, 0), TZ),
                    member_ids=members,
                    anchor_date=anchor,
                    calendar="cn_workdays",
                ),
            ),
        )
    )


def test_statutory_holiday_is_off_and_tiaoxiu_weekend_is_a_workday() -> None:
    calendar = WorkCalendar("cn_workdays")
    assert not calendar.is_active(date(2026, 10, 1))  # National Day, a Thursday
    assert calendar.is_active(date(2026, 2, 14))  # Saturday worked for the Spring Festival
    assert calendar.is_active(date(2026, 10, 10))  # Saturday worked for National Day
    assert not calendar.is_active(date(2026, 6, 6))  # an ordinary Saturday
    assert holiday_name(date(2026, 10, 1)) == "National Day"


def test_agrees_with_chinese_calendar_for_every_day_it_knows() -> None:
    calendar = WorkCalendar("cn_workdays")
    day = date(2024, 1, 1)
    while day <= date(2026, 12, 31):
        assert calendar.is_active(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_holidays_skip_days_never_people() -> None:
    # Sep 28 (Mon) .. Oct 12 2026: Oct 1-7 off, Oct 10 (Sat) worked, Oct 11 (Sun) off
    rotation = cn_rotation(date(2026, 9, 28))
    start = day_start(date(2026, 9, 28), time(3, 0), TZ)
    shifts = rotation.shifts(start, start + timedelta(days=15))
    days = [(s.duty_date, s.member_ids[0]) for s in shifts]
    assert days == [
        (date(2026, 9, 28), 1),
        (date(2026, 9, 29), 2),
        (date(2026, 9, 30), 3),
        (date(2026, 10, 8), 1),
        (date(2026, 10, 9), 2),
        (date(2026, 10, 10), 3),
        (date(2026, 10, 12), 1),
    ]


def test_a_year_without_data_is_unknown_never_guessed() -> None:
    assert year_known("cn_workdays", 2026)
    assert not year_known("cn_workdays", 2027)
    calendar = WorkCalendar("cn_workdays")
    # every day of an unknown year counts as a duty day (nobody drops off the roster) ...
    assert calendar.is_active(date(2027, 1, 2))  # a Saturday
    assert not calendar.is_known(date(2027, 1, 2))
    assert calendar.unknown_years(date(2026, 12, 1), date(2027, 2, 1)) == [2027]
    # ... and the shifts say so
    rotation = cn_rotation(date(2026, 12, 28))
    start = day_start(date(2026, 12, 30), time(3, 0), TZ)
    shifts = rotation.shifts(start, start + timedelta(days=5))
    assert [(s.duty_date.year, s.provisional) for s in shifts] == [
        (2026, False),
        (2026, False),
        (2027, True),
        (2027, True),
        (2027, True),
    ]


def test_admin_exception_dates_win_and_make_a_day_known() -> None:
    calendar = WorkCalendar("cn_workdays", {date(2027, 1, 1): False, date(2026, 10, 1): True})
    assert not calendar.is_active(date(2027, 1, 1))
    assert calendar.is_known(date(2027, 1, 1))
    assert calendar.is_active(date(2026, 10, 1))


@settings(max_examples=200, deadline=None)
@given(
    mode=st.sampled_from(["all", "weekdays", "cn_workdays"]),
    start=st.dates(date(2023, 6, 1), date(2027, 6, 1)),
    length=st.integers(0, 500),
    exceptions=st.dictionaries(
        st.dates(date(2023, 6, 1), date(2028, 1, 1)), st.booleans(), max_size=8
    ),
)
def test_active_day_counts_match_counting_one_by_one(
    mode: str, start: date, length: int, exceptions: dict[date, bool]
) -> None:
    calendar = WorkCalendar(mode, exceptions)
    end = start + timedelta(days=length)
    brute = sum(calendar.is_active(start + timedelta(days=i)) for i in range(length))
    assert calendar.active_between(start, end) == brute
    assert calendar.active_between(end, start) == -brute


@settings(max_examples=100, deadline=None)
@given(
    mode=st.sampled_from(["all", "weekdays", "cn_workdays"]),
    first=st.dates(date(2025, 6, 1), date(2027, 6, 1)),
    length=st.integers(0, 400),
    exceptions=st.dictionaries(
        st.dates(date(2025, 6, 1), date(2028, 1, 1)), st.booleans(), max_size=8
    ),
)
def test_day_flags_agree_with_single_day_lookups(
    mode: str, first: date, length: int, exceptions: dict[date, bool]
) -> None:
    calendar = WorkCalendar(mode, exceptions)
    last = first + timedelta(days=length)
    active, known = calendar.day_flags(first, last)
    days = [first + timedelta(days=i) for i in range(length + 1)]
    assert list(active) == [int(calendar.is_active(d)) for d in days]
    assert list(known) == [int(calendar.is_known(d)) for d in days]
