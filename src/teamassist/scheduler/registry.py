"""Declaring jobs: ``@jobs.daily("duty.sign_in_reminder", default_times=["10:00"])``.

A daily job runs once per team per configured local time; the times are per team
(``team.settings["schedule"][key]``), so each team keeps its own clock and time zone.

A sweep (``@jobs.every("feedback.follow_up", minutes=5)``) runs for each team once per
interval, claimed in ``job_run`` like a daily occurrence, so N runtimes on one database run it
once per slot. A failed sweep is retried on a later tick, so its handler stays idempotent.

The runner runs one job for a batch of teams in one transaction. A job may name a ``prepare``
hook, called once per batch with the batch's teams before any of its runs: it loads what the
runs read in a few set queries (see :mod:`teamassist.preload`), so a run costs no query of its
own. The handler keeps its one-team signature and works unprepared too.

A sweep may also name a ``candidates`` hook: given a batch's teams it answers, in one or a few
set queries, which of them may have something to do at ``now``. The others are not claimed and
not run (no ``job_run`` row, no query of their own); they are simply due again at the next
slot. The answer may hold teams with nothing to do (the handler then does nothing), never
leave out one that has work: a team left out waits a whole interval.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from teamassist.clock import parse_hhmm
from teamassist.ports import Ports
from teamassist.team.models import Team


@dataclass
class JobContext:
    """What one occurrence of a daily job gets."""

    session: Session
    team: Team
    key: str
    slot_at: datetime  # the occurrence, UTC
    local_date: date  # the team-local date of the occurrence
    now: datetime
    ports: Ports  # what the installed domains provide (Roster, Workdays, ...)


DailyHandler = Callable[[JobContext], None]
# prepare(session, teams, now): preload what the batch's runs will read.
Prepare = Callable[[Session, Sequence[Team], datetime], None]
# candidates(session, teams, now, ports) -> ids of the teams a sweep may have work for.
Candidates = Callable[[Session, Sequence[Team], datetime, Ports], set[int]]


@dataclass(frozen=True)
class DailyJob:
    """A job that runs at team-local wall-clock times."""

    key: str
    handler: DailyHandler
    default_times: tuple[str, ...]
    prepare: Prepare | None = None

    def times_for(self, team: Team) -> list[str]:
        """The configured times for ``team`` (an empty list switches the job off)."""
        schedule: dict[str, Any] = (team.settings or {}).get("schedule", {})
        configured = schedule.get(self.key)
        if configured is None:
            return list(self.default_times)
        times = [configured] if isinstance(configured, str) else list(configured)
        for value in times:
            parse_hhmm(value)  # a bad value is refused here rather than silently skipped
        return times


@dataclass(frozen=True)
class TeamTimedJob(DailyJob):
    """A daily job at the time a team sets in its desk's own settings (``time_of``, e.g.
    ``okr.reminder_time``), unless the scheduler's ``schedule`` setting names the job (an empty
    list there switches it off)."""

    time_of: Callable[[Team], str] | None = None

    def times_for(self, team: Team) -> list[str]:
        """The scheduler's setting for the job if there is one, else the desk's time."""
        if self.time_of is None or self.key in ((team.settings or {}).get("schedule") or {}):
            return super().times_for(team)
        return [self.time_of(team)]


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class IntervalJob:
    """A per-team sweep that runs once every ``minutes`` (slots aligned to UTC multiples)."""

    key: str
    handler: DailyHandler
    minutes: int
    prepare: Prepare | None = None
    candidates: Candidates | None = None

    def slot(self, now: datetime) -> datetime:
        """The start of the interval ``now`` falls in."""
        step = timedelta(minutes=self.minutes)
        return _EPOCH + ((now - _EPOCH) // step) * step


@dataclass
class JobGroup:
    """The jobs of one domain; the runner composes groups explicitly."""

    domain: str
    daily_jobs: list[DailyJob] = field(default_factory=list)
    interval_jobs: list[IntervalJob] = field(default_factory=list)

    def every(
        self,
        key: str,
        *,
        minutes: int,
        prepare: Prepare | None = None,
        candidates: Candidates | None = None,
    ) -> Callable[[DailyHandler], DailyHandler]:
        """Declare an idempotent per-team sweep that runs every ``minutes`` (``candidates``:
        see the module's note)."""
        if minutes <= 0:
            raise ValueError("an interval job needs a positive number of minutes")

        def register(handler: DailyHandler) -> DailyHandler:
            self.interval_jobs.append(IntervalJob(key, handler, minutes, prepare, candidates))
            return handler

        return register

    def daily(
        self, key: str, *, default_times: Iterable[str], prepare: Prepare | None = None
    ) -> Callable[[DailyHandler], DailyHandler]:
        """Declare a daily, per-team job."""

        def register(handler: DailyHandler) -> DailyHandler:
            self.daily_jobs.append(DailyJob(key, handler, tuple(default_times), prepare))
            return handler

        return register
