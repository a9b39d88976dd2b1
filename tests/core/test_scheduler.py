"""The job runner: each occurrence runs once per team, a restart neither skips nor repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.scheduler.models import JobRun
from teamassist.scheduler.registry import JobContext, JobGroup
from teamassist.scheduler.runner import Scheduler, occurrences
from teamassist.team.models import Team
from tests.conftest import load_demo

calls: list[tuple[str, datetime]] = []
group = JobGroup("test")


@group.daily("test.remind", default_times=["10:00", "10:30"])
def remind(job: JobContext) -> None:
    calls.append((job.team.key, job.slot_at))


@group.daily("test.flaky", default_times=["12:00"])
def flaky(job: JobContext) -> None:
    calls.append(("flaky", job.slot_at))
    if len([c for c in calls if c[0] == "flaky"]) < 2:
        raise RuntimeError("first attempt fails")


def _scheduler(rt: Runtime, clock: FrozenClock) -> Scheduler:
    return Scheduler(rt.factory, [group], clock=clock, catch_up=timedelta(hours=2))


@pytest.fixture(autouse=True)
def _reset() -> None:
    calls.clear()


def shanghai(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 6, day, hour - 8, minute, tzinfo=UTC)


def test_runs_each_occurrence_once(runtime: Runtime, clock: FrozenClock) -> None:
    load_demo(runtime)
    scheduler = _scheduler(runtime, clock)
    clock.set(shanghai(9, 59))
    scheduler.tick()
    assert calls == []
    clock.set(shanghai(10, 0))
    scheduler.tick()
    scheduler.tick()  # a second tick (or a second runner) repeats nothing
    _scheduler(runtime, clock).tick()
    assert calls == [("community", shanghai(10, 0))]


def test_restart_catches_up_missed_occurrences(runtime: Runtime, clock: FrozenClock) -> None:
    load_demo(runtime)
    clock.set(shanghai(9, 55))
    _scheduler(runtime, clock).tick()
    # the process was down from 09:55 to 10:40; a fresh scheduler catches up both reminders
    clock.set(shanghai(10, 40))
    _scheduler(runtime, clock).tick()
    assert [slot for _, slot in calls] == [shanghai(10, 0), shanghai(10, 30)]


def test_too_old_occurrences_are_not_replayed(sqlite_runtime: Runtime, clock: FrozenClock) -> None:
    load_demo(sqlite_runtime)
    clock.set(shanghai(15, 0))  # 5 hours after 10:00, beyond the 2 hour catch-up window
    _scheduler(sqlite_runtime, clock).tick()
    assert [c for c in calls if c[0] == "community"] == []


def test_failed_job_is_retried_then_recorded(sqlite_runtime: Runtime, clock: FrozenClock) -> None:
    load_demo(sqlite_runtime)
    clock.set(shanghai(12, 0))
    scheduler = _scheduler(sqlite_runtime, clock)
    report = scheduler.tick()
    assert report.failed and calls.count(("flaky", shanghai(12))) == 1
    scheduler.tick()
    scheduler.tick()
    assert calls.count(("flaky", shanghai(12))) == 2
    with sqlite_runtime.factory() as session:
        run = session.scalar(select(JobRun).where(JobRun.job_key == "test.flaky"))
        assert run is not None and run.status == "done" and run.attempts == 2


def test_team_times_are_configurable_and_local(sqlite_runtime: Runtime, clock: FrozenClock) -> None:
    load_demo(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        team = session.scalar(select(Team))
        assert team is not None
        team.timezone = "Europe/Berlin"
        team.settings = {"schedule": {"test.remind": ["07:15"], "test.flaky": []}}
    # 07:15 Berlin in summer (CEST, UTC+2) is 05:15 UTC
    clock.set(datetime(2026, 6, 1, 5, 15, tzinfo=UTC))
    _scheduler(sqlite_runtime, clock).tick()
    assert calls == [("community", datetime(2026, 6, 1, 5, 15, tzinfo=UTC))]


def test_occurrences_follow_dst() -> None:
    team = Team(key="x", name="x", timezone="Europe/Berlin", settings={})
    job = group.daily_jobs[0]
    # DST starts 2026-03-29 in Berlin: 10:00 local is 09:00 UTC before and 08:00 UTC after
    slots = occurrences(
        job, team, datetime(2026, 3, 28, 0, tzinfo=UTC), datetime(2026, 3, 30, 0, tzinfo=UTC)
    )
    assert [s.hour for s in slots if s.minute == 0] == [9, 8]
