"""The night quiet window on QQ: mute the whole guild while a QQ channel's window is on.

Notices are already held by ``chat.notify`` during the window; this job also stops the members
from posting (the seed muted everyone from 00:00 to 08:00). It runs every half hour (teams may
set their own times under ``team.settings["schedule"]["qq.guild_quiet"]``); an occurrence mutes
each guild whose window *began* since the previous occurrence, until the window's end, and lifts
the mute of each guild whose window ended since then. A window starting between two occurrences
is applied at the next one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from teamassist.adapters.qq.client import QQApiError, QQClient
from teamassist.adapters.qq.protocol import CHANNEL, Address
from teamassist.chat.quiet import quiet_until
from teamassist.clock import parse_hhmm
from teamassist.enums import Platform
from teamassist.scheduler.registry import DailyJob, JobContext, JobGroup
from teamassist.team import service as team_service

log = logging.getLogger(__name__)

JOB_KEY = "qq.guild_quiet"
HALF_HOURS = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)]


def quiet_jobs(client: QQClient) -> JobGroup:
    """The QQ job group, bound to a client (only built when QQ is enabled)."""
    jobs = JobGroup("qq")

    @jobs.daily(JOB_KEY, default_times=HALF_HOURS)
    def apply_quiet_window(job: JobContext) -> None:
        """Mute guilds entering their quiet window, unmute those leaving it."""
        spec = next(j for j in jobs.daily_jobs if j.key == JOB_KEY)
        previous = _previous_slot(spec, job)
        zone = job.team.timezone
        mute: dict[str, datetime] = {}
        unmute: set[str] = set()
        for channel in team_service.channels(
            job.session, workspace_id=job.team.workspace_id, team_id=job.team.id
        ):
            if channel.platform != Platform.QQ.value or not channel.quiet_start:
                continue
            if not channel.quiet_end or channel.quiet_start == channel.quiet_end:
                continue
            try:
                address = Address.parse(channel.address)
            except ValueError:
                continue
            if address.kind != CHANNEL:
                continue  # only guilds have a mute-all
            began = _last(channel.quiet_start, job.slot_at, zone)
            ended = _last(channel.quiet_end, job.slot_at, zone)
            if previous < began <= job.slot_at:
                until = quiet_until(began, zone, channel.quiet_start, channel.quiet_end)
                if until is not None and until > job.now:
                    mute[address.target] = max(until, mute.get(address.target, until))
            elif previous < ended <= job.slot_at:
                unmute.add(address.target)
        errors: list[str] = []
        guilds: dict[str, str] = {}
        for channel_id, until in mute.items():
            try:
                guild = guilds.setdefault(channel_id, client.channel_guild(channel_id))
                client.mute_guild(guild, until=int(until.timestamp()))
                log.info("QQ guild %s muted until %s", guild, until.isoformat())
            except QQApiError as exc:
                errors.append(f"mute via channel {channel_id}: {exc}")
        for channel_id in unmute - set(mute):
            try:
                guild = guilds.setdefault(channel_id, client.channel_guild(channel_id))
                if guild in {guilds.get(c) for c in mute}:
                    continue  # another window of the same guild has just begun
                client.mute_guild(guild, seconds=0)
                log.info("QQ guild %s unmuted", guild)
            except QQApiError as exc:
                errors.append(f"unmute via channel {channel_id}: {exc}")
        if errors:
            # The occurrence is recorded as failed and retried; muting twice is harmless.
            raise RuntimeError("; ".join(errors))

    return jobs


def _last(hhmm: str, slot: datetime, zone: str) -> datetime:
    """The latest local ``hhmm`` at or before ``slot`` (UTC)."""
    tz = ZoneInfo(zone)
    local = slot.astimezone(tz)
    candidate = datetime.combine(local.date(), parse_hhmm(hhmm), tzinfo=tz)
    if candidate > local:
        candidate = datetime.combine(local.date() - timedelta(days=1), parse_hhmm(hhmm), tzinfo=tz)
    return candidate.astimezone(ZoneInfo("UTC"))


def _previous_slot(spec: DailyJob, job: JobContext) -> datetime:
    """The occurrence of this job before ``job.slot_at`` (the window it is responsible for)."""
    times = spec.times_for(job.team) or ["00:00"]
    latest = [_last(t, job.slot_at - timedelta(seconds=1), job.team.timezone) for t in times]
    return max(latest)
