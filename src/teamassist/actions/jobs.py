"""The action-item desk's scheduled job: the overdue reminder, once per team-local day at the
team's ``actions.reminder_time`` (default 09:30); whether the day is a working day is the
handler's to decide (:mod:`teamassist.actions.overdue`)."""

from __future__ import annotations

from teamassist.actions import overdue
from teamassist.actions import settings as action_settings
from teamassist.ports import Workdays
from teamassist.scheduler.registry import JobContext, JobGroup, TeamTimedJob

jobs = JobGroup("actions")
OVERDUE_REMINDER = "actions.overdue_reminder"


def overdue_reminder(job: JobContext) -> None:
    """Remind owners of overdue items; escalate the late ones to the director."""
    overdue.run(
        job.session,
        team=job.team,
        today=job.local_date,
        now=job.now,
        workdays=job.ports.get(Workdays),
    )


jobs.daily_jobs.append(
    TeamTimedJob(
        OVERDUE_REMINDER,
        overdue_reminder,
        (action_settings.REMINDER_TIME,),
        time_of=lambda team: action_settings.of(team).reminder_time,
    )
)
