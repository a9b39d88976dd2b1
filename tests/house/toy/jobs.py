"""A sweep that leaves a note every five minutes."""

from __future__ import annotations

from teamassist.scheduler.registry import JobContext, JobGroup
from tests.house.toy import service

jobs = JobGroup("toy")


@jobs.every("toy.sweep", minutes=5)
def sweep(job: JobContext) -> None:
    """Leave a note saying the sweep ran."""
    service.add_note(job.session, team=job.team, text="sweep", now=job.now)
