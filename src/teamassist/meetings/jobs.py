"""The meeting cycles' scheduled job: the step sweep, every :data:`EVERY` minutes per team
(slots aligned to UTC multiples, claimed once per slot in ``job_run``), which plans occurrences
ahead and sends each step that has come due, each claimed once on its own row
(:mod:`teamassist.meetings.steps`). Steps at whole five minutes (the defaults: 08:30, 17:30)
go out in the slot that starts at that minute."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.meetings import service, steps
from teamassist.ports import Ports, Workdays
from teamassist.scheduler.registry import JobContext, JobGroup
from teamassist.team.models import Team

jobs = JobGroup("meetings")
STEPS = "meetings.steps"
EVERY = 5


def _candidates(session: Session, teams: Sequence[Team], now: datetime, _ports: Ports) -> set[int]:
    return steps.teams_with_work(session, teams=teams, now=now)


def _prepare(session: Session, teams: Sequence[Team], _now: datetime) -> None:
    service.prepare_planning(session, teams)


@jobs.every(STEPS, minutes=EVERY, prepare=_prepare, candidates=_candidates)
def step_sweep(job: JobContext) -> None:
    """Plan ahead, then send the steps that have come due."""
    steps.run(job.session, team=job.team, now=job.now, workdays=job.ports.get(Workdays))
