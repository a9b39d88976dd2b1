"""The 360 desk's daily job: deadline reminders at 10:00 team-local (a team may move it in
``team.settings["schedule"]["reviews.remind"]``); working days only (the Workdays port)."""

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
