"""The OKR desk's scheduled job: the check-in reminder (and digest), once per team-local day at
the team's ``okr.reminder_time``; whether a day is a reminder day is the handler's to decide
(weekdays and the working calendar, :mod:`teamassist.okr.reminders`)."""

from __future__ import annotations

from teamassist.okr import reminders
from teamassist.okr import settings as okr_settings
from teamassist.ports import Workdays
from teamassist.scheduler.registry import JobContext, JobGroup, TeamTimedJob

jobs = JobGroup("okr")
CHECKIN_REMINDER = "okr.checkin_reminder"


def checkin_reminder(job: JobContext) -> None:
    """Remind owners of stale KRs; escalate to the director's digest."""
    reminders.run(
        job.session,
        team=job.team,
        today=job.local_date,
        now=job.now,
        workdays=job.ports.get(Workdays),
    )


jobs.daily_jobs.append(
    TeamTimedJob(
        CHECKIN_REMINDER,
        checkin_reminder,
        (okr_settings.REMINDER_TIME,),
        time_of=lambda team: okr_settings.of(team).reminder_time,
    )
)
