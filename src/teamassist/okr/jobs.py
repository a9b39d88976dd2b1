"""The OKR desk's scheduled job: the check-in reminder (and digest), once per team-local day at
the team's ``okr.reminder_time``; whether a day is a reminder day is the handler's to decide
(weekdays and the working calendar, :mod:`teamassist.okr.reminders`)."""

from __future__ import annotations

from dataclasses import dataclass

from teamassist.okr import reminders
from teamassist.okr import settings as okr_settings
from teamassist.ports import Workdays
from teamassist.scheduler.registry import DailyJob, JobContext, JobGroup
from teamassist.team.models import Team

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


@dataclass(frozen=True)
class ReminderJob(DailyJob):
    """A daily job whose time is the team's ``okr.reminder_time`` unless the scheduler's own
    ``schedule`` setting names one (an empty list there switches it off)."""

    def times_for(self, team: Team) -> list[str]:
        """The team's reminder time."""
        if CHECKIN_REMINDER in ((team.settings or {}).get("schedule") or {}):
            return super().times_for(team)
        return [okr_settings.of(team).reminder_time]


jobs.daily_jobs.append(
    ReminderJob(CHECKIN_REMINDER, checkin_reminder, (okr_settings.REMINDER_TIME,))
)
