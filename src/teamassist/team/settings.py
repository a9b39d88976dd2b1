"""A team's own clock: its time zone and the local times of its daily jobs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from teamassist.clock import is_hhmm
from teamassist.exceptions import DomainError
from teamassist.team.models import Team

# Times one daily job may run a day. The defaults run each job one to three times; a team that
# set 00:00…23:59 (1,440 times, tester s27 A-6) would message its channel every minute and, on
# QQ, spend a month's proactive-message quota in an hour. Twelve leaves room for hourly
# reminders through a working day.
MAX_TIMES_PER_DAY = 12


def schedule(team: Team, defaults: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The effective local times of every daily job for ``team`` (defaults where not set)."""
    configured: dict[str, Any] = (team.settings or {}).get("schedule", {})
    return {
        key: _times(configured[key]) if key in configured else list(times)
        for key, times in defaults.items()
    }


def _times(value: str | Sequence[str]) -> list[str]:
    # A hand-edited setting may hold one time as a string, as the scheduler also accepts.
    return [value] if isinstance(value, str) else list(value)


def update(
    session: Session,
    *,
    team: Team,
    timezone: str | None,
    times: Mapping[str, Sequence[str] | None] | None,
    known_jobs: Mapping[str, Sequence[str]],
) -> Team:
    """Change the time zone and/or job times; every value is checked before anything changes.

    An empty list switches a job off for the team; ``None`` for a job restores its default.
    DomainError ``core.error.bad_timezone``, ``unknown_job``, ``bad_time``, or
    ``too_many_times`` (more than :data:`MAX_TIMES_PER_DAY` distinct times for one job).
    """
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise DomainError("core.error.bad_timezone", value=timezone) from exc
    cleaned: dict[str, list[str] | None] = {}
    for key, values in (times or {}).items():
        if key not in known_jobs:
            known = ", ".join(sorted(known_jobs))
            raise DomainError("core.error.unknown_job", job=key, known=known)
        if values is None:
            cleaned[key] = None
            continue
        bad = [v for v in values if not is_hhmm(v)]
        if bad:
            raise DomainError("core.error.bad_time", value=str(bad[0]))
        chosen = sorted(set(values))
        if len(chosen) > MAX_TIMES_PER_DAY:
            raise DomainError(
                "core.error.too_many_times", job=key, count=len(chosen), limit=MAX_TIMES_PER_DAY
            )
        cleaned[key] = chosen
    if timezone is not None:
        team.timezone = timezone
    if cleaned:
        settings = dict(team.settings or {})
        current = dict(settings.get("schedule", {}))
        for key, value in cleaned.items():
            if value is None:
                current.pop(key, None)
            else:
                current[key] = value
        settings["schedule"] = current
        team.settings = settings  # a new dict, so the JSON column is seen as changed
    session.flush()
    return team
