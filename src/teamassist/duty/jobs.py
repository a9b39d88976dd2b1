"""The duty desk's daily jobs, per team, in the team's time zone; every time is configurable in
``team.settings["schedule"][key]`` (an empty list switches a job off). A batch of teams reads
what its :func:`teamassist.duty.batch.preparer` hook preloaded: only what the job reads."""

from __future__ import annotations

from teamassist.duty import batch, flows, signin
from teamassist.enums import ChannelPurpose
from teamassist.scheduler.registry import JobContext, JobGroup

jobs = JobGroup("duty")
# The channels each notice goes to (see duty.flows): a batch loads no others.
PUBLIC = (ChannelPurpose.PUBLIC,)
INTERNAL = (ChannelPurpose.INTERNAL,)


@jobs.daily(
    "duty.morning_notice",
    default_times=["08:00"],
    prepare=batch.preparer(people=(0, 0), channels=PUBLIC),
)
def morning_notice(job: JobContext) -> None:
    """Today's duty people and the public commands, to the public channels."""
    flows.morning_notice(job.session, team=job.team, slot_at=job.slot_at, now=job.now)


@jobs.daily(
    "duty.sign_in_reminder",
    default_times=list(signin.SIGN_IN_REMINDER_TIMES),
    prepare=batch.preparer(people=(0, 0), sign_ins=True, channels=INTERNAL),
)
def sign_in_reminder(job: JobContext) -> None:
    """Remind whoever on duty has not signed in."""
    flows.sign_in_reminder(job.session, team=job.team, slot_at=job.slot_at, now=job.now)


@jobs.daily(
    "duty.sign_out_reminder",
    default_times=["22:30", "23:00", "23:30"],
    prepare=batch.preparer(people=(0, 0), sign_ins=True, channels=INTERNAL),
)
def sign_out_reminder(job: JobContext) -> None:
    """Remind whoever on duty has not signed out, asking for the duty report."""
    flows.sign_out_reminder(job.session, team=job.team, slot_at=job.slot_at, now=job.now)


@jobs.daily(
    "duty.evening_notice",
    default_times=["23:59"],
    prepare=batch.preparer(rotations=False, channels=PUBLIC),
)
def evening_notice(job: JobContext) -> None:
    """The good-night notice before the quiet hours."""
    flows.evening_notice(job.session, team=job.team, slot_at=job.slot_at, now=job.now)


@jobs.daily(
    "duty.new_day",
    default_times=["03:00"],
    prepare=batch.preparer(people=(-1, 0), channels=INTERNAL),
)
def new_day(job: JobContext) -> None:
    """The new duty day: the hand-off digest to the duty channels."""
    flows.new_duty_day(job.session, team=job.team, slot_at=job.slot_at, now=job.now)


@jobs.daily(
    "duty.shift_eve_reminder",
    default_times=["20:00"],
    prepare=batch.preparer(people=(0, 1)),
)
def shift_eve_reminder(job: JobContext) -> None:
    """A personal reminder the evening before someone's shift."""
    flows.shift_eve_reminder(job.session, team=job.team, slot_at=job.slot_at, now=job.now)


# Only the specs: the admins are looked up for the rare team whose calendar data runs out.
@jobs.daily("duty.calendar_check", default_times=["09:00"], prepare=batch.preparer())
def calendar_check(job: JobContext) -> None:
    """Warn admins when holiday data for the coming weeks is missing."""
    flows.calendar_check(job.session, team=job.team, slot_at=job.slot_at, now=job.now)
