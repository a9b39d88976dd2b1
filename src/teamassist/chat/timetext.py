"""How a moment reads in a reply: ``10月8日（周四）10:00``, with the year in front when it is not
the reader's current team-local year (``2100年3月1日（周一）10:00``), so a meeting or 1on1 moved
into another year never reads like this year's date."""

from __future__ import annotations

from datetime import datetime

from teamassist.clock import local

_WEEKDAYS = "一二三四五六日"


def when(value: datetime, zone: str, *, now: datetime | None = None) -> str:
    """``value`` in the IANA ``zone``: ``10月8日（周四）10:00``; with ``now`` given and another
    team-local year than ``now``'s, ``2027年1月7日（周四）10:00``."""
    at = local(value, zone)
    text = f"{at.month}月{at.day}日（周{_WEEKDAYS[at.weekday()]}）{at:%H:%M}"
    if now is not None and at.year != local(now, zone).year:
        text = f"{at.year}年{text}"
    return text
