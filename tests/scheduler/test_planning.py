"""The stored next-due times: changes to a team's clock take effect, a failure stays with its
team, a restart neither skips nor repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.scheduler.models import JobDue, JobRun
from teamassist.scheduler.registry import JobContext, JobGroup
from teamassist.scheduler.runner import Scheduler
from teamassist.team import service as team_service
from teamassist.team.models import Team
from tests.conftest import load_demo

calls: list[tuple[str, datetime]] = []
group = JobGroup("plan")
FAILING = {"team": ""}


@group.daily("plan.remind", default_times=["10:00"])
def remind(job: JobContext) -> None:
    if job.team.key == FAILING["team"]:
        raise RuntimeError("this team's run fails")
    calls.append((job.team.key, job.slot_at))


def shanghai(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, 1, hour - 8, minute, tzinfo=UTC)


def _teams(rt: Runtime, count: int) -> None:
    load_demo(rt)
    with transaction(rt.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        for n in range(count):
            team_service.create_team(
                session, workspace=workspace, key=f"t{n}", name=f"团队{n}", timezone="Asia/Shanghai"
            )


def _reset() -> None:
    calls.clear()
    FAILING["team"] = ""


def test_a_changed_time_zone_and_time_take_effect_at_the_next_tick(
    sqlite_runtime: Runtime, clock: FrozenClock
) -> None:
    _reset()
    load_demo(sqlite_runtime)
    scheduler = Scheduler(sqlite_runtime.factory, [group], clock=clock)
    clock.set(shanghai(9, 0))
    scheduler.tick()  # planned: 10:00 Shanghai
    with transaction(sqlite_runtime.factory) as session:
        team = session.scalar(select(Team))
        assert team is not None
        team.timezone = "Europe/Berlin"
        team.settings = {"schedule": {"plan.remind": ["03:30"]}}
    # 03:30 Berlin (CEST) is 01:30 UTC, i.e. 09:30 Shanghai: before the old plan's 10:00.
    clock.set(datetime(2026, 6, 1, 1, 30, tzinfo=UTC))
    scheduler.tick()
    assert calls == [("community", datetime(2026, 6, 1, 1, 30, tzinfo=UTC))]
    clock.set(shanghai(10, 0))
    scheduler.tick()  # 10:00 Shanghai is no longer one of its times
    assert len(calls) == 1


def test_an_idle_tick_touches_no_team(sqlite_runtime: Runtime, clock: FrozenClock) -> None:
    _reset()
    _teams(sqlite_runtime, 5)
    scheduler = Scheduler(sqlite_runtime.factory, [group], clock=clock)
    clock.set(shanghai(10, 0))
    assert len(scheduler.tick().ran) == 6
    clock.set(shanghai(10, 1))
    assert scheduler.tick().ran == []
    with transaction(sqlite_runtime.factory) as session:
        due = session.scalars(select(JobDue.due_at).where(JobDue.job_key == "plan.remind")).all()
    assert due == [shanghai(10, 0) + timedelta(days=1)] * 6


def test_one_teams_failure_stays_with_that_team(
    sqlite_runtime: Runtime, clock: FrozenClock
) -> None:
    _reset()
    _teams(sqlite_runtime, 3)
    FAILING["team"] = "t1"
    scheduler = Scheduler(sqlite_runtime.factory, [group], clock=clock)
    clock.set(shanghai(10, 0))
    report = scheduler.tick()
    assert sorted(k for k, _ in calls) == ["community", "t0", "t2"]
    assert [f[1] for f in report.failed] == [_team_id(sqlite_runtime, "t1")]
    with transaction(sqlite_runtime.factory) as session:
        runs = {r.team_id: (r.status, r.attempts) for r in session.scalars(select(JobRun))}
    assert sorted(runs.values()) == [("done", 1)] * 3 + [("failed", 1)]
    FAILING["team"] = ""
    clock.set(shanghai(10, 1))
    report = scheduler.tick()  # retried on the next tick, for that team alone
    assert [r[1] for r in report.ran] == [_team_id(sqlite_runtime, "t1")]
    assert sorted(k for k, _ in calls) == ["community", "t0", "t1", "t2"]


def test_a_restart_between_ticks_neither_skips_nor_repeats(
    sqlite_runtime: Runtime, clock: FrozenClock
) -> None:
    _reset()
    _teams(sqlite_runtime, 2)
    clock.set(shanghai(9, 59))
    Scheduler(sqlite_runtime.factory, [group], clock=clock).tick()
    clock.set(shanghai(10, 0))
    Scheduler(sqlite_runtime.factory, [group], clock=clock).tick()
    clock.set(shanghai(10, 5))
    Scheduler(sqlite_runtime.factory, [group], clock=clock).tick()  # a fresh process again
    assert sorted(k for k, _ in calls) == ["community", "t0", "t1"]


def _team_id(rt: Runtime, key: str) -> int:
    with transaction(rt.factory) as session:
        team_id = session.scalar(select(Team.id).where(Team.key == key))
    assert team_id is not None
    return team_id
