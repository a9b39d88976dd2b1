"""When a round's phases begin: working days of the team's month, on its wall clock.

Working days come from the ``Workdays`` port (China's calendar: statutory holidays off, 调休
weekend days on). Nominations open on the ``nominate_day``-th working day, voting on the
``vote_days``-th working day counted back from the end, the round closes on the last working
day; each at the team's configured wall-clock time, kept in order in short months.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from teamassist.awards.settings import AwardSettings
from teamassist.clock import ensure_utc, local, parse_hhmm
from teamassist.exceptions import Invalid
from teamassist.ports import Workdays

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Plan:
    """A round's three moments (UTC)."""

    opened_at: datetime
    voting_at: datetime
    closes_at: datetime


def period_of(now: datetime, tz: str) -> str:
    """The team-local month of ``now``: ``2026-11``."""
    at = local(now, tz)
    return f"{at.year:04d}-{at.month:02d}"


def parse_period(text: str) -> tuple[int, int]:
    """``2026-11`` → (2026, 11); Invalid (``awards.error.period``) otherwise."""
    found = PERIOD.match(text.strip())
    if found is None:
        raise Invalid("awards.error.period", period=text.strip()[:20])
    return int(found.group(1)), int(found.group(2))


def previous(period: str) -> str:
    """The month before ``period``."""
    year, month = parse_period(period)
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def working_days(year: int, month: int, workdays: Workdays) -> list[date]:
    """The month's working days in order (Monday–Friday when the port knows none)."""
    last = calendar.monthrange(year, month)[1]
    days = [date(year, month, d) for d in range(1, last + 1)]
    found = [d for d in days if workdays.is_workday(d)]
    return found or [d for d in days if d.weekday() < 5]


def _at(day: date, hhmm: str, tz: str) -> datetime:
    return ensure_utc(datetime.combine(day, parse_hhmm(hhmm), tzinfo=ZoneInfo(tz)))


def plan(period: str, *, tz: str, knobs: AwardSettings, workdays: Workdays) -> Plan:
    """The moments of ``period``'s round for a team in zone ``tz``."""
    year, month = parse_period(period)
    days = working_days(year, month, workdays)
    open_day = days[min(knobs.nominate_day, len(days)) - 1]
    vote_day = days[max(len(days) - knobs.vote_days, 0)]
    opened = _at(open_day, knobs.open_time, tz)
    voting = max(_at(vote_day, knobs.vote_time, tz), opened)
    closes = max(_at(days[-1], knobs.close_time, tz), voting + timedelta(minutes=1))
    return Plan(opened_at=opened, voting_at=voting, closes_at=closes)
