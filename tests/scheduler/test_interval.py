"""Interval sweeps (``JobGroup.every``): once per interval per team, retried after a failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from teamassist.clock import FrozenClock
from teamassist.runtime import Runtime
from teamassist.scheduler.registry import IntervalJob, JobContext, JobGroup
from teamassist.scheduler.runner import Scheduler
from tests.conftest import load_demo

calls: list[tuple[int, datetime, datetime]] = []
failures = {"left": 0}
group = JobGroup("test")


@group.every("test.sweep", minutes=5)
def sweep(job: JobContext) -> None:
    if failures["left"] > 0:
        failures["left"] -= 1
        raise RuntimeError("sweep failed")
    calls.append((job.team.id, job.slot_at, job.now))


@pytest.fixture(autouse=True)
def _reset() -> None:
    calls.clear()
    failures["left"] = 0


def test_slots_are_aligned_intervals() -> None:
    job = IntervalJob("k", sweep, 5)
    assert job.slot(datetime(2026, 6, 1, 1, 7, 30, tzinfo=UTC)) == datetime(
        2026, 6, 1, 1, 5, tzinfo=UTC
    )
    with pytest.raises(ValueError):
        JobGroup("x").every("x.bad", minutes=0)


def test_runs_once_per_interval_per_team(sqlite_runtime: Runtime, clock: FrozenClock) -> None:
    load_demo(sqlite_runtime)
    scheduler = Scheduler(sqlite_runtime.factory, [group], clock=clock)
    scheduler.tick()
    scheduler.tick()
    assert len(calls) == 1
    clock.set(clock() + timedelta(minutes=4))  # 01:04, same slot as 01:00
    scheduler.tick()
    assert len(calls) == 1
    clock.set(clock() + timedelta(minutes=2))  # 01:06
    report = scheduler.tick()
    assert len(calls) == 2 and report.ran[0][0] == "test.sweep"
    assert calls[-1][1] == datetime(2026, 6, 1, 1, 5, tzinfo=UTC)


def test_a_failed_sweep_runs_again_on_the_next_tick(
    sqlite_runtime: Runtime, clock: FrozenClock
) -> None:
    load_demo(sqlite_runtime)
    scheduler = Scheduler(sqlite_runtime.factory, [group], clock=clock)
    failures["left"] = 1
    report = scheduler.tick()
    assert report.failed and calls == []
    scheduler.tick()
    assert len(calls) == 1
