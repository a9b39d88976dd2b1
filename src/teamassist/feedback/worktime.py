"""Working time between two instants: working days (from the ``Workdays`` port) within the
team's working hours (default 09:00–18:00, local time).

The days come from the shared working calendar through the port, so response times and
rosters agree on what a working day is. A span that touches a year without official holiday
data rests on a Monday–Friday guess; :func:`provisional_years` names those years so every
figure can say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from teamassist.clock import ensure_utc, is_hhmm, parse_hhmm
from teamassist.ports import Workdays


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


def _local_days(start: datetime, end: datetime, tz: str) -> tuple[date, date]:
    zone = ZoneInfo(tz)
    return ensure_utc(start).astimezone(zone).date(), ensure_utc(end).astimezone(zone).date()


def working_seconds(
    start: datetime,
    end: datetime,
    *,
    tz: str,
    workdays: Workdays,
    hours: WorkHours = WorkHours(),
) -> float:
    """Seconds of working time in [start, end) for a team in time zone ``tz``."""
    start, end = ensure_utc(start), ensure_utc(end)
    if end <= start:
        return 0.0
    zone = ZoneInfo(tz)
    day, last = _local_days(start, end, tz)
    total = 0.0
    while day <= last:
        if workdays.is_workday(day):
            open_at = datetime.combine(day, hours.start, tzinfo=zone)
            close_at = datetime.combine(day, hours.end, tzinfo=zone)
            lo, hi = max(start, open_at), min(end, close_at)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


def provisional_years(start: datetime, end: datetime, *, tz: str, workdays: Workdays) -> set[int]:
    """Years of the local days in [start, end] whose working days are a Monday–Friday guess."""
    if ensure_utc(end) <= ensure_utc(start):
        return set()
    first, last = _local_days(start, end, tz)
    return {y for y in range(first.year, last.year + 1) if not workdays.is_official(y)}


def next_work_start(
    now: datetime, *, tz: str, workdays: Workdays, hours: WorkHours = WorkHours()
) -> datetime | None:
    """When working hours next begin (UTC), or None while they are on (a working day, inside
    the team's hours). What "quiet hours" mean for notices to people rather than channels."""
    zone = ZoneInfo(tz)
    local_now = ensure_utc(now).astimezone(zone)
    day = local_now.date()
    clock = local_now.time().replace(tzinfo=None)
    if workdays.is_workday(day) and hours.start <= clock < hours.end:
        return None
    if not (workdays.is_workday(day) and clock < hours.start):
        day += timedelta(days=1)
        for _ in range(60):  # the longest holiday is far shorter
            if workdays.is_workday(day):
                break
            day += timedelta(days=1)
    return datetime.combine(day, hours.start, tzinfo=zone).astimezone(ZoneInfo("UTC"))
