"""The meeting cycles' scheduled job: the step sweep, every :data:`EVERY` minutes per team
(slots aligned to UTC multiples, claimed once per slot in ``job_run``), which plans occurrences
ahead and sends each step that has come due, each claimed once on its own row
(:mod:`teamassist.meetings.steps`). Steps at whole five minutes (the defaults: 08:30, 17:30)
go out in the slot that starts at that minute."""

from __future__ import annotations

from teamassist.meetings import steps
from teamassist.ports import Workdays
from teamassist.scheduler.registry import JobContext, JobGroup

jobs = JobGroup("meetings")
STEPS = "meetings.steps"
EVERY = 5


@jobs.every(STEPS, minutes=EVERY)
def step_sweep(job: JobContext) -> None:
    """Plan ahead, then send the steps that have come due."""
    steps.run(job.session, team=job.team, now=job.now, workdays=job.ports.get(Workdays))
