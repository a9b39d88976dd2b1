"""Interval sweeps (``JobGroup.every``): once per interval per team, retried after a failure."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.ports import Ports
from teamassist.runtime import Runtime
from teamassist.scheduler.models import JobRun
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
    slow_calls.clear()
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


def test_two_runtimes_on_one_database_sweep_once_per_slot(
    runtime: Runtime, clock: FrozenClock
) -> None:
    load_demo(runtime)
    first = Scheduler(runtime.factory, [group], clock=clock)
    second = Scheduler(runtime.factory, [group], clock=clock)
    first.tick()
    report = second.tick()
    assert len(calls) == 1 and report.ran == [] and report.failed == []
    clock.set(clock() + timedelta(minutes=5))  # the next slot: whoever ticks first runs it
    second.tick()
    first.tick()
    assert len(calls) == 2 and calls[-1][1] == datetime(2026, 6, 1, 1, 5, tzinfo=UTC)
    # a day later, the claims of a day ago are gone: one row per slot, not one forever
    clock.set(clock() + timedelta(days=1, minutes=10))
    first.tick()
    with transaction(runtime.factory) as session:
        slots = list(session.scalars(select(JobRun.slot_at).where(JobRun.job_key == "test.sweep")))
    assert len(calls) == 3 and min(slots) >= clock() - timedelta(days=1, minutes=5)


def test_two_runtimes_ticking_at_once_sweep_once(runtime: Runtime, clock: FrozenClock) -> None:
    load_demo(runtime)
    schedulers = [Scheduler(runtime.factory, [slow_group], clock=clock) for _ in range(2)]
    start = threading.Barrier(2)

    def tick(scheduler: Scheduler) -> None:
        start.wait()
        scheduler.tick()

    threads = [threading.Thread(target=tick, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(slow_calls) == 1


def test_a_sweep_gets_the_ports_of_its_runtime(sqlite_runtime: Runtime, clock: FrozenClock) -> None:
    load_demo(sqlite_runtime)
    seen: list[Ports] = []
    probe = JobGroup("probe")
    probe.every("probe.sweep", minutes=5)(lambda job: seen.append(job.ports))
    ports = Ports()
    Scheduler(sqlite_runtime.factory, [probe], clock=clock, ports=ports).tick()
    assert seen == [ports]


slow_calls: list[datetime] = []
slow_group = JobGroup("slow")


@slow_group.every("test.slow_sweep", minutes=5)
def slow_sweep(job: JobContext) -> None:
    slow_calls.append(job.slot_at)
    time.sleep(0.3)  # hold the claim while the other runtime tries
