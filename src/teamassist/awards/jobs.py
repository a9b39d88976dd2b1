"""The expert selection's sweep: every :data:`EVERY` minutes per team it opens the month's
round when nominations start, opens the vote and closes the round when due
(:func:`teamassist.awards.rounds.advance`); each move is made once, on the round's row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.awards import rounds
from teamassist.ports import Ports, Workdays
from teamassist.scheduler.registry import JobContext, JobGroup
from teamassist.team.models import Team

jobs = JobGroup("awards")
PHASES = "awards.phases"
EVERY = 15


def _candidates(session: Session, teams: Sequence[Team], now: datetime, ports: Ports) -> set[int]:
    return rounds.teams_to_advance(session, teams=teams, now=now, workdays=ports.get(Workdays))


@jobs.every(PHASES, minutes=EVERY, candidates=_candidates)
def phase_sweep(job: JobContext) -> None:
    """Move the team's rounds along their planned moments."""
    rounds.advance(job.session, team=job.team, now=job.now, workdays=job.ports.get(Workdays))
