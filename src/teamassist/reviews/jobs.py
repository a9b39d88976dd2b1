"""The 360 desk's daily jobs, each movable per team in ``team.settings["schedule"]``: deadline
reminders at 10:00 team-local on working days (``reviews.remind``; the Workdays port), and at
09:00 the day after a cycle's due day the notice to its director and admins that it is over
(``reviews.ended``)."""

from __future__ import annotations

from teamassist.ports import Workdays
from teamassist.reviews import reminders
from teamassist.scheduler.registry import JobContext, JobGroup

jobs = JobGroup("reviews")


@jobs.daily("reviews.remind", default_times=["10:00"])
def remind(job: JobContext) -> None:
    """Remind reviewers who still owe answers in a cycle ending soon."""
    reminders.run(
        job.session,
        team=job.team,
        today=job.local_date,
        now=job.now,
        workdays=job.ports.get(Workdays),
    )


@jobs.daily("reviews.ended", default_times=["09:00"])
def ended(job: JobContext) -> None:
    """Tell the managers that a cycle ended yesterday: its summaries can be released."""
    reminders.ended(job.session, team=job.team, today=job.local_date, now=job.now)
