"""The action-item desk's scheduled job: the overdue reminder, once per team-local day at the
team's ``actions.reminder_time`` (default 09:30); whether the day is a working day is the
handler's to decide (:mod:`teamassist.actions.overdue`)."""

from __future__ import annotations

from dataclasses import dataclass

from teamassist.actions import overdue
from teamassist.actions import settings as action_settings
from teamassist.ports import Workdays
from teamassist.scheduler.registry import DailyJob, JobContext, JobGroup
from teamassist.team.models import Team

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


@dataclass(frozen=True)
class ReminderJob(DailyJob):
    """A daily job at the team's ``actions.reminder_time`` unless the scheduler's own
    ``schedule`` setting names one (an empty list there switches it off)."""

    def times_for(self, team: Team) -> list[str]:
        """The team's reminder time."""
        if OVERDUE_REMINDER in ((team.settings or {}).get("schedule") or {}):
            return super().times_for(team)
        return [action_settings.of(team).reminder_time]


jobs.daily_jobs.append(
    ReminderJob(OVERDUE_REMINDER, overdue_reminder, (action_settings.REMINDER_TIME,))
)
