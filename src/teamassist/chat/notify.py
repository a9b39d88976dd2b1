"""How domains and jobs send notices: always through the outbox, inside their transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from teamassist import preload
from teamassist.chat import channel_notices
from teamassist.chat.quiet import quiet_until
from teamassist.chat.types import Reply
from teamassist.enums import ChannelPurpose, Platform
from teamassist.outbox import service as outbox_service
from teamassist.outbox.models import OutboxMessage
from teamassist.team import reroute
from teamassist.team import service as team_service
from teamassist.team.models import Channel, Member, Team

# A scheduled batch's channels (teamassist.preload), a LoadedChannels.
PRELOAD_CHANNELS = "team.channels"


@dataclass(frozen=True)
class LoadedChannels:
    """A batch's teams' enabled channels, the workspace-wide ones included, in id order; only
    those with ``purposes`` (None: every purpose). A look-up for another purpose queries."""

    by_team: dict[int, list[Channel]]
    purposes: frozenset[str] | None = None

    def get(self, team_id: int, wanted: set[str]) -> list[Channel] | None:
        """The team's channels with a purpose in ``wanted``, or None when not loaded."""
        found = self.by_team.get(team_id)
        if found is None or (self.purposes is not None and not wanted <= self.purposes):
            return None
        return [c for c in found if c.purpose in wanted]


# Platforms that can carry a direct (1:1) message, in order of preference.
DIRECT_PLATFORMS = (Platform.FEISHU.value, Platform.QQ.value, Platform.WEB.value)


def to_channels(
    session: Session,
    *,
    team: Team,
    purpose: ChannelPurpose | str | tuple[ChannelPurpose | str, ...],
    reply: Reply,
    key: str,
    now: datetime,
    hold_in_quiet_hours: bool = True,
) -> list[OutboxMessage]:
    """Queue ``reply`` for every enabled channel of ``team`` with ``purpose``.

    ``key`` identifies the notice (e.g. ``"feedback.new:42"``); each channel gets its own
    idempotency key derived from it, so re-running the caller queues nothing twice. Several
    purposes (``(INTERNAL, WEBHOOK)``) are looked up in one query.
    """
    queued: list[OutboxMessage] = []
    wanted = {str(p) for p in purpose} if isinstance(purpose, tuple) else {str(purpose)}
    loaded: LoadedChannels | None = preload.get(session, PRELOAD_CHANNELS)
    found = loaded.get(team.id, wanted) if loaded is not None else None
    if found is None and not preload.bulk(session):
        # The channels read by the INSERT itself: one statement, not a read and one per channel.
        at_once = channel_notices.queue(
            session,
            team=team,
            purposes=wanted,
            reply=reply,
            key=key,
            now=now,
            hold_in_quiet_hours=hold_in_quiet_hours,
        )
        if at_once is not None:
            return at_once
    routes: Sequence[_Route] = found if found is not None else _routes(session, team, wanted)
    for channel in routes:
        hold = (
            quiet_until(now, team.timezone, channel.quiet_start, channel.quiet_end)
            if hold_in_quiet_hours
            else None
        )
        row = outbox_service.enqueue(
            session,
            key=f"{key}:ch{channel.id}",
            platform=channel.platform,
            address=channel.address,
            reply=reply,
            now=now,
            workspace_id=team.workspace_id,
            channel_id=channel.id,
            quiet_until=hold,
        )
        if row is not None:
            queued.append(row)
    return queued


class _Route(Protocol):
    """What a notice needs of a channel (a :class:`Channel`, or a row of :data:`_ROUTES`)."""

    @property
    def id(self) -> int: ...
    @property
    def platform(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def quiet_start(self) -> str | None: ...
    @property
    def quiet_end(self) -> str | None: ...


_CHANNELS = cast(Table, Channel.__table__)
# The enabled channels of a team and of its whole workspace, only what a notice needs of them,
# in id order, through Core: loading them as entities cost a third more per /问题反馈 (issue 9;
# 0.37 against 0.27 ms of thread CPU per read, PostgreSQL), and nothing here reads them as
# objects. The purposes are picked here, not by an expanding IN (0.07 ms more per read).
_ROUTES = (
    select(
        _CHANNELS.c.id,
        _CHANNELS.c.platform,
        _CHANNELS.c.address,
        _CHANNELS.c.purpose,
        _CHANNELS.c.quiet_start,
        _CHANNELS.c.quiet_end,
    )
    .where(
        _CHANNELS.c.workspace_id == bindparam("workspace_id"),
        _CHANNELS.c.enabled.is_(True),
        (_CHANNELS.c.team_id == bindparam("team_id")) | _CHANNELS.c.team_id.is_(None),
    )
    .order_by(_CHANNELS.c.id)
)


def _routes(session: Session, team: Team, purposes: set[str]) -> list[_Route]:
    """:data:`_ROUTES` of ``team`` with one of ``purposes`` (the channels
    :func:`team_channels` finds)."""
    session.flush()  # as the ORM's read did first (autoflush): a channel added in this unit
    rows = session.execute(_ROUTES, {"workspace_id": team.workspace_id, "team_id": team.id})
    return [row for row in rows if row.purpose in purposes]


def team_channels(
    session: Session,
    *,
    team: Team,
    purpose: ChannelPurpose | str | tuple[ChannelPurpose | str, ...],
) -> list[Channel]:
    """The enabled channels of ``team`` (and of its whole workspace) with ``purpose``; one
    query, or none in a scheduled batch that preloaded them."""
    wanted = {str(p) for p in purpose} if isinstance(purpose, tuple) else {str(purpose)}
    loaded: LoadedChannels | None = preload.get(session, PRELOAD_CHANNELS)
    found = loaded.get(team.id, wanted) if loaded is not None else None
    if found is not None:
        return found
    if len(wanted) == 1:
        (only,) = wanted
        return team_service.channels(
            session, workspace_id=team.workspace_id, team_id=team.id, purpose=only
        )
    every = team_service.channels(session, workspace_id=team.workspace_id, team_id=team.id)
    return [c for c in every if c.purpose in wanted]


def to_member(
    session: Session,
    *,
    member: Member,
    reply: Reply,
    key: str,
    now: datetime,
    not_before: datetime | None = None,
) -> OutboxMessage | None:
    """Queue a direct message to ``member`` on the best platform they are reachable on."""
    identities = {i.platform: i for i in member.identities}
    for platform in DIRECT_PLATFORMS:
        identity = identities.get(platform)
        if identity is not None:
            address = identity.user_key
            break
    else:
        # Everyone has a web inbox on the dashboard, so a direct notice is never dropped.
        platform, address = Platform.WEB.value, f"{team_service.INBOX_PREFIX}{member.id}"
    row = outbox_service.enqueue(
        session,
        key=f"{key}:m{member.id}",
        platform=platform,
        address=address,
        reply=reply,
        now=now,
        workspace_id=member.workspace_id,
        not_before=not_before,
    )
    if row is not None and not member.active:
        # A deactivated member is no longer routed to: a notice for them goes where their
        # pending ones went on deactivation (the duty channel, else the admins), marked so.
        reroute.pending_direct_notices(
            session, member=member, teams=reroute.member_teams(session, member=member), now=now
        )
    return row
