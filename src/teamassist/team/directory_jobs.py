"""The directory refresh: each team's people as their platforms know them, every few hours."""

from __future__ import annotations

from teamassist.ports import Directory
from teamassist.scheduler.registry import JobContext, JobGroup
from teamassist.team import directory

jobs = JobGroup("team")

REFRESH_MINUTES = 360


@jobs.every("team.directory_refresh", minutes=REFRESH_MINUTES)
def refresh_directory(job: JobContext) -> None:
    """Names, profiles and platform roles of the team's people not synced lately (a batch)."""
    if job.ports.has(Directory):
        directory.refresh(job.session, job.ports.get(Directory), team=job.team, now=job.now)
