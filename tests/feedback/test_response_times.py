"""Response times in wall-clock time and in working time (China's working days, 09:00–18:00)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from teamassist.feedback.worktime import WorkHours, working_seconds
from teamassist.workdays import ChinaWorkdays

TZ = "Asia/Shanghai"
WD = ChinaWorkdays()


def _cst(y: int, m: int, d: int, h: int, mi: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(y, m, d, h, mi, tzinfo=ZoneInfo(TZ)).astimezone(UTC)


def test_within_one_working_day() -> None:
    assert (
        working_seconds(_cst(2026, 6, 1, 10), _cst(2026, 6, 1, 11, 30), tz=TZ, workdays=WD) == 5400
    )


def test_night_and_weekend_do_not_count() -> None:
    # Friday 17:00 → Monday 10:00: one hour on Friday, one on Monday
    assert (
        working_seconds(_cst(2026, 6, 5, 17), _cst(2026, 6, 8, 10), tz=TZ, workdays=WD) == 2 * 3600
    )


def test_golden_week_does_not_count() -> None:
    # reported the evening before National Day 2026 (Oct 1–7 off, Oct 8 a working day),
    # answered at 09:30 on Oct 9: Oct 8 in full and half an hour on Oct 9
    assert not WD.is_workday(datetime(2026, 10, 1).date())
    start, end = _cst(2026, 9, 30, 20), _cst(2026, 10, 9, 9, 30)
    assert working_seconds(start, end, tz=TZ, workdays=WD) == 9 * 3600 + 1800


def test_custom_work_hours_and_reversed_interval() -> None:
    hours = WorkHours(time(10), time(12))
    assert (
        working_seconds(_cst(2026, 6, 1, 8), _cst(2026, 6, 1, 20), tz=TZ, workdays=WD, hours=hours)
        == 7200
    )
    assert working_seconds(_cst(2026, 6, 1, 12), _cst(2026, 6, 1, 10), tz=TZ, workdays=WD) == 0
    assert WorkHours.parse(["18:00", "09:00"]) == WorkHours()  # nonsense falls back
