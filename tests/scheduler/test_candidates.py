"""A sweep's ``candidates`` hook: the teams it names are claimed and run once per slot; the
others cost neither a ``job_run`` row nor a statement of their own, and move on to the next
slot (issue 16: the per-team sweeps held up 10,000 teams' morning notices)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.clock import FrozenClock
from teamassist.database import StatementCounter, transaction
from teamassist.ports import Ports
from teamassist.runtime import Runtime
from teamassist.scheduler.models import JobDue, JobRun
from teamassist.scheduler.registry import JobContext, JobGroup
from teamassist.scheduler.runner import Scheduler
from teamassist.team.models import Team
from tests.conftest import load_demo

KEY = "test.picky"


@dataclass
class Picky:
    """A sweep that has work only for the teams in ``busy``; ``fail`` of them raise."""

    busy: set[int] = field(default_factory=set)
    fail: set[int] = field(default_factory=set)
    asked: list[list[int]] = field(default_factory=list)  # the teams of each hook call
    ran: list[tuple[int, datetime]] = field(default_factory=list)

    def candidates(
        self, _session: Session, teams: Sequence[Team], _now: datetime, _ports: Ports
    ) -> set[int]:
        self.asked.append([team.id for team in teams])
        return {team.id for team in teams} & self.busy

    def handle(self, job: JobContext) -> None:
        if job.team.id in self.fail:
            raise RuntimeError("the sweep failed")
        self.ran.append((job.team.id, job.slot_at))

    def group(self) -> JobGroup:
        group = JobGroup("test")
        group.every(KEY, minutes=5, candidates=self.candidates)(self.handle)
        return group


def _teams(runtime: Runtime, extra: int) -> list[int]:
    """The demo's team and ``extra`` more in its workspace (same zone); their ids."""
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        demo = session.scalars(select(Team)).one()
        for n in range(extra):
            session.add(
                Team(
                    workspace_id=demo.workspace_id,
                    key=f"quiet{n}",
                    name=f"安静{n}",
                    timezone=demo.timezone,
                    settings={},
                )
            )
        session.flush()
        return sorted(session.scalars(select(Team.id)))


def _runs(runtime: Runtime) -> list[tuple[int, datetime]]:
    with transaction(runtime.factory) as session:
        rows = session.execute(
            select(JobRun.team_id, JobRun.slot_at).where(JobRun.job_key == KEY)
        ).all()
    return sorted((team_id, slot) for team_id, slot in rows)


def _due(runtime: Runtime) -> dict[int, datetime | None]:
    with transaction(runtime.factory) as session:
        rows = session.execute(
            select(JobDue.team_id, JobDue.due_at).where(JobDue.job_key == KEY)
        ).all()
    return {team_id: due_at and due_at.replace(tzinfo=None) for team_id, due_at in rows}


def test_only_the_named_teams_are_claimed_and_run_once(
    runtime: Runtime, clock: FrozenClock
) -> None:
    # Given four teams, of which the sweep has work for one
    ids = _teams(runtime, 3)
    picky = Picky(busy={ids[1]})
    first = Scheduler(runtime.factory, [picky.group()], clock=clock)
    second = Scheduler(runtime.factory, [picky.group()], clock=clock)
    slot = clock()
    # When two runtimes tick in the same slot
    first.tick()
    report = second.tick()
    # Then the busy team ran once, claimed once; the others have no claim at all
    assert picky.ran == [(ids[1], slot)]
    assert report.ran == []
    assert _runs(runtime) == [(ids[1], slot)]
    assert picky.asked[0] == ids  # one call for the batch, with every due team
    # and every team is due again at the next slot, the idle ones included
    next_slot = (slot + timedelta(minutes=5)).replace(tzinfo=None)
    assert _due(runtime) == dict.fromkeys(ids, next_slot)


def test_an_idle_team_costs_no_statement_of_its_own(runtime: Runtime, clock: FrozenClock) -> None:
    # Given a sweep with nothing to do, run once so that every team is planned
    ids = _teams(runtime, 1)
    picky = Picky()
    scheduler = Scheduler(runtime.factory, [picky.group()], clock=clock)
    scheduler.tick()

    def statements_of_next_slot() -> int:
        clock.set(clock() + timedelta(minutes=5))
        with StatementCounter(runtime.engine) as counter:
            scheduler.tick()
        return len(counter.statements)

    with_two = statements_of_next_slot()
    # When four more teams join (and are planned) and the next slot comes
    with transaction(runtime.factory) as session:
        demo = session.get(Team, ids[0])
        assert demo is not None
        for n in range(4):
            session.add(
                Team(
                    workspace_id=demo.workspace_id,
                    key=f"more{n}",
                    name=f"又{n}",
                    timezone=demo.timezone,
                )
            )
    clock.set(clock() + timedelta(minutes=5))
    scheduler.tick()
    with_six = statements_of_next_slot()
    # Then the slot costs the same statements for six teams as for two, and claims nothing
    assert len(ids) == 2
    assert with_six == with_two
    assert picky.ran == [] and _runs(runtime) == []
    assert len(picky.asked[-1]) == 6


def test_a_failing_team_is_isolated_and_retried(runtime: Runtime, clock: FrozenClock) -> None:
    # Given two busy teams, one of whose runs fails
    ids = _teams(runtime, 2)
    picky = Picky(busy={ids[0], ids[2]}, fail={ids[2]})
    scheduler = Scheduler(runtime.factory, [picky.group()], clock=clock)
    slot = clock()
    # When the slot's tick runs
    report = scheduler.tick()
    # Then the other busy team ran, the failed one left no claim and is due again at once
    assert picky.ran == [(ids[0], slot)]
    assert [(key, team) for key, team, _, _ in report.failed] == [(KEY, ids[2])]
    assert _runs(runtime) == [(ids[0], slot)]
    assert _due(runtime)[ids[2]] == slot.replace(tzinfo=None)
    # and once it works again the next tick runs it, in the same slot, once
    picky.fail.clear()
    scheduler.tick()
    scheduler.tick()
    assert picky.ran == [(ids[0], slot), (ids[2], slot)]


def test_run_now_runs_a_team_the_hook_would_leave_out(
    sqlite_runtime: Runtime, clock: FrozenClock
) -> None:
    # Given a sweep with nothing to do for any team
    ids = _teams(sqlite_runtime, 0)
    picky = Picky()
    scheduler = Scheduler(sqlite_runtime.factory, [picky.group()], clock=clock)
    # When an operator runs it by hand for a team
    scheduler.run_now(KEY, ids[0])
    # Then it runs: the hook picks teams for ticks, not for explicit runs
    assert picky.ran == [(ids[0], clock())]
    assert picky.asked == []
