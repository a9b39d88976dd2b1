"""The 1on1s' scheduled job: the day-before reminder, daily (default 16:00 team-local)."""

from __future__ import annotations

from teamassist.one_on_ones import calendar_sync, reminders
from teamassist.ports import Calendar, Workdays
from teamassist.scheduler.registry import JobContext, JobGroup

jobs = JobGroup("one_on_ones")
REMINDER = "one_on_ones.reminder"


@jobs.daily(REMINDER, default_times=["16:00"])
def remind(job: JobContext) -> None:
    """Tell both people of each 1on1 on the next working day (or the days off before it),
    and put the coming occurrences in the calendars (a catch-up: each change is put there as
    it happens, see :mod:`teamassist.one_on_ones.calendar_sync`)."""
    reminders.run(
        job.session,
        team=job.team,
        today=job.local_date,
        now=job.now,
        workdays=job.ports.get(Workdays),
    )
    calendar_sync.put_upcoming(
        job.session, team=job.team, port=job.ports.get(Calendar), now=job.now
    )
