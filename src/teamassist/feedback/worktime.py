"""Working time between two instants: China's working days (statutory holidays off, 调休
weekends on) within the team's working hours (default 09:00–18:00, local time).

The days come from the duty calendar (``duty.calendar``, mode ``cn_workdays``) when the duty
domain is installed, so response times and rosters agree on what a working day is; without it,
``chinese_calendar`` is asked directly and years without data fall back to Monday–Friday.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

from teamassist.clock import ensure_utc, is_hhmm, parse_hhmm


def _own_is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def _workday_check() -> Callable[[date], bool]:
    try:
        from teamassist.duty.calendar import CalendarMode, WorkCalendar
    except ImportError:
        return _own_is_workday
    return WorkCalendar(mode=CalendarMode.CN_WORKDAYS).is_active


_is_workday: Callable[[date], bool] | None = None


def is_workday(day: date) -> bool:
    """True on a working day (statutory holidays off, make-up weekend days on)."""
    global _is_workday
    if _is_workday is None:
        _is_workday = _workday_check()
    return _is_workday(day)


@dataclass(frozen=True)
class WorkHours:
    """A team's working window, local wall-clock time."""

    start: time = time(9, 0)
    end: time = time(18, 0)

    @classmethod
    def parse(cls, value: object) -> WorkHours:
        """Read ``["09:00", "18:00"]`` (team settings); anything else gives the default."""
        if isinstance(value, list | tuple) and len(value) == 2 and all(map(is_hhmm, value)):
            start, end = parse_hhmm(value[0]), parse_hhmm(value[1])
            if start < end:
                return cls(start, end)
        return cls()


def working_seconds(
    start: datetime, end: datetime, *, tz: str, hours: WorkHours = WorkHours()
) -> float:
    """Seconds of working time in [start, end) for a team in time zone ``tz``."""
    start, end = ensure_utc(start), ensure_utc(end)
    if end <= start:
        return 0.0
    zone = ZoneInfo(tz)
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    total = 0.0
    while day <= last:
        if is_workday(day):
            open_at = datetime.combine(day, hours.start, tzinfo=zone)
            close_at = datetime.combine(day, hours.end, tzinfo=zone)
            lo, hi = max(start, open_at), min(end, close_at)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total
