"""When each (job, team) is next due: computed from the team's time zone and times, stored in
``job_due``, and marked for re-planning when a team is created or its clock changes.

Planning is the only per-team arithmetic the scheduler does, and it is done once per
occurrence (after a run) or per change (a team's settings), never on an idle tick.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, event, inspect, update
from sqlalchemy.orm import Mapper
from sqlalchemy.sql.dml import Insert

from teamassist.clock import parse_hhmm
from teamassist.scheduler.models import JobDue, JobRun
from teamassist.scheduler.registry import DailyJob, IntervalJob
from teamassist.team.models import Team

REPLAN = "*"  # job_due.job_key of a team whose jobs all need planning afresh
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # due at once
MICROSECOND = timedelta(microseconds=1)
DUE = cast(Table, JobDue.__table__)
RUN = cast(Table, JobRun.__table__)


def occurrences(job: DailyJob, team: Team, start: datetime, end: datetime) -> list[datetime]:
    """The job's occurrences for ``team`` in (start, end], as UTC datetimes."""
    zone = ZoneInfo(team.timezone)
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    times = [parse_hhmm(value) for value in job.times_for(team)]
    found: list[datetime] = []
    day = first
    while day <= last:
        for value in times:
            slot = datetime.combine(day, value, tzinfo=zone).astimezone(UTC)
            if start < slot <= end:
                found.append(slot)
        day += timedelta(days=1)
    return sorted(found)


def next_due(job: DailyJob | IntervalJob, team: Team, after: datetime) -> datetime | None:
    """The first occurrence strictly after ``after`` (None: the job is off for the team).

    A bad time in the team's settings raises ValueError (the caller logs it and looks again
    a day later).
    """
    if isinstance(job, IntervalJob):
        return job.slot(after) + timedelta(minutes=job.minutes)
    if not job.times_for(team):
        return None
    found = occurrences(job, team, after, after + timedelta(days=3))
    return found[0] if found else None


def first_due(job: DailyJob | IntervalJob, team: Team, now: datetime, catch_up: timedelta) -> Any:
    """The due time of a job never planned for ``team``: its current sweep slot, or the first
    occurrence inside the catch-up window (which may be past: it runs on this tick)."""
    if isinstance(job, IntervalJob):
        return job.slot(now)
    return next_due(job, team, now - catch_up)


def insert_ignoring_conflicts(dialect: str, table: Table) -> Insert:
    """An INSERT that skips rows whose unique key exists (or is being inserted by a concurrent
    transaction, which it waits for): the bulk form of "claim unless claimed".

    Each dialect's module is imported here, on first use: the PostgreSQL and MySQL dialects
    hold ~7 MiB a process serving SQLite never needs (issue 9: idle memory)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table).on_conflict_do_nothing()
    if dialect in {"mysql", "mariadb"}:
        from sqlalchemy.dialects import mysql

        return mysql.insert(table).prefix_with("IGNORE")
    raise NotImplementedError(f"no conflict-skipping insert for {dialect}")


def _mark(connection: Connection, team_id: int) -> None:
    insert = insert_ignoring_conflicts(connection.dialect.name, DUE)
    connection.execute(
        update(DUE).where(DUE.c.job_key == REPLAN, DUE.c.team_id == team_id).values(due_at=EPOCH)
    )
    connection.execute(insert.values(job_key=REPLAN, team_id=team_id, due_at=EPOCH))


def _team_inserted(_mapper: Mapper[Team], connection: Connection, team: Team) -> None:
    _mark(connection, team.id)


def _team_updated(_mapper: Mapper[Team], connection: Connection, team: Team) -> None:
    state = inspect(team)
    if any(state.attrs[name].history.has_changes() for name in ("timezone", "settings")):
        _mark(connection, team.id)


def install() -> None:
    """Mark new teams and teams whose clock changed, in the transaction that changes them."""
    if not event.contains(Team, "after_insert", _team_inserted):
        event.listen(Team, "after_insert", _team_inserted)
        event.listen(Team, "after_update", _team_updated)


def planned(
    jobs: Sequence[DailyJob | IntervalJob],
    team: Team,
    now: datetime,
    catch_up: timedelta,
) -> list[dict[str, Any]]:
    """Rows of ``job_due`` for a team planned afresh (a bad time: looked at again in a day)."""
    rows: list[dict[str, Any]] = []
    for job in jobs:
        try:
            due = first_due(job, team, now, catch_up)
        except ValueError:
            due = now + timedelta(days=1)
        rows.append({"job_key": job.key, "team_id": team.id, "due_at": due})
    return rows
