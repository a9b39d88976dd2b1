"""The expert selection's sweep: every :data:`EVERY` minutes per team it opens the month's
round when nominations start, opens the vote and closes the round when due
(:func:`teamassist.awards.rounds.advance`); each move is made once, on the round's row."""

from __future__ import annotations

from teamassist.awards import rounds
from teamassist.ports import Workdays
from teamassist.scheduler.registry import JobContext, JobGroup

jobs = JobGroup("awards")
PHASES = "awards.phases"
EVERY = 15


@jobs.every(PHASES, minutes=EVERY)
def phase_sweep(job: JobContext) -> None:
    """Move the team's rounds along their planned moments."""
    rounds.advance(job.session, team=job.team, now=job.now, workdays=job.ports.get(Workdays))
