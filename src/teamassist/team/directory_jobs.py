"""The directory refresh: each team's people as their platforms know them, every few hours."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.ports import Directory, Ports
from teamassist.scheduler.registry import JobContext, JobGroup
from teamassist.team import directory
from teamassist.team.models import Team

jobs = JobGroup("team")

REFRESH_MINUTES = 360


def _candidates(session: Session, teams: Sequence[Team], now: datetime, ports: Ports) -> set[int]:
    if not ports.has(Directory):
        return set()
    return directory.teams_to_refresh(session, teams=teams, now=now)


@jobs.every("team.directory_refresh", minutes=REFRESH_MINUTES, candidates=_candidates)
def refresh_directory(job: JobContext) -> None:
    """Names, profiles and platform roles of the team's people not synced lately (a batch)."""
    if job.ports.has(Directory):
        directory.refresh(job.session, job.ports.get(Directory), team=job.team, now=job.now)
