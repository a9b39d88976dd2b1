"""Night quiet windows: when one is in force, notices wait until it ends."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from teamassist.clock import ensure_utc, parse_hhmm


def quiet_until(now: datetime, tz: str, start: str | None, end: str | None) -> datetime | None:
    """Return when the quiet window around ``now`` ends (UTC), or None when it is not quiet.

    The window is local wall-clock time and may wrap midnight (23:00–07:00). Its end is
    resolved with the zone's rules for that date, so DST shifts are honoured.
    """
    if not start or not end or start == end:
        return None
    zone = ZoneInfo(tz)
    local_now = ensure_utc(now).astimezone(zone)
    begin, finish = parse_hhmm(start), parse_hhmm(end)
    clock = local_now.time().replace(tzinfo=None)
    if begin < finish:
        inside = begin <= clock < finish
        end_date = local_now.date()
    else:  # wraps midnight
        inside = clock >= begin or clock < finish
        end_date = local_now.date() + timedelta(days=1) if clock >= begin else local_now.date()
    if not inside:
        return None
    return datetime.combine(end_date, finish, tzinfo=zone).astimezone(ZoneInfo("UTC"))
