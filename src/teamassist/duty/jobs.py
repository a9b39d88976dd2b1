"""The duty desk's daily jobs, per team, in the team's time zone; every time is configurable in
``team.settings["schedule"][key]`` (an empty list switches a job off). A batch of teams reads
what :func:`teamassist.duty.batch.prepare` preloaded."""

from __future__ import annotations

from teamassist.duty import batch, flows, signin
from teamassist.scheduler.registry import JobContext, JobGroup

jobs = JobGroup("duty")


@jobs.daily("duty.morning_notice", default_times=["08:00"], prepare=batch.prepare)
def morning_notice(job: JobContext) -> None:
    """Today's duty people and the public commands, to the public channels."""
    flows.morning_notice(job.session, team=job.team, slot_at=job.slot_at, now=job.now)


@jobs.daily(
    "duty.sign_in_reminder",
    default_times=list(signin.SIGN_IN_REMINDER_TIMES),
    prepare=batch.prepare,
)
def sign_in_reminder(job: JobContext) -> None:
    """Remind whoever on duty has not signed in."""
    flows.sign_in_reminder(job.session, team=job.team, slot_at=job.slot_at, now=job.now)


@jobs.daily(
    "duty.sign_out_reminder", default_times=["22:30", "23:00", "23:30"], prepare=batch.prepare
)
def sign_out_reminder(job: JobContext) -> None:
    """Remind whoever on duty has not signed out, asking for the duty report."""
    flows.sign_out_reminder(job.session, team=job.team, slot_at=job.slot_at, now=job.now)


@jobs.daily("duty.evening_notice", default_times=["23:59"], prepare=batch.prepare)
def evening_notice(job: JobContext) -> None:
    """The good-night notice before the quiet hours."""
    flows.evening_notice(job.session, team=job.team, slot_at=job.slot_at, now=job.now)


@jobs.daily("duty.new_day", default_times=["03:00"], prepare=batch.prepare)
def new_day(job: JobContext) -> None:
    """The new duty day: the hand-off digest to the duty channels."""
    flows.new_duty_day(job.session, team=job.team, slot_at=job.slot_at, now=job.now)


@jobs.daily("duty.shift_eve_reminder", default_times=["20:00"], prepare=batch.prepare)
def shift_eve_reminder(job: JobContext) -> None:
    """A personal reminder the evening before someone's shift."""
    flows.shift_eve_reminder(job.session, team=job.team, slot_at=job.slot_at, now=job.now)


@jobs.daily("duty.calendar_check", default_times=["09:00"], prepare=batch.prepare)
def calendar_check(job: JobContext) -> None:
    """Warn admins when holiday data for the coming weeks is missing."""
    flows.calendar_check(job.session, team=job.team, slot_at=job.slot_at, now=job.now)
