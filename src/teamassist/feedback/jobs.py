"""The desk's sweep: re-notify unacknowledged items, then escalate them to the admins."""

from __future__ import annotations

from teamassist.feedback import flows
from teamassist.ports import Workdays
from teamassist.scheduler.registry import JobContext, JobGroup

jobs = JobGroup("feedback")

SWEEP_MINUTES = 5


@jobs.every("feedback.follow_up", minutes=SWEEP_MINUTES)
def follow_up(job: JobContext) -> None:
    """Each team's open items past their re-notify or escalation time (see ``flows``)."""
    flows.follow_up(job.session, team=job.team, now=job.now, workdays=job.ports.get(Workdays))
