"""A deactivated member's pending direct notices go to the team's duty channel or its admins.

A direct notice is an outbox row without a channel addressed to the person: a platform user id
of one of their identities (``chat.notify.to_member``) or their web inbox ``member:<id>``.
Rows are re-addressed in place (same idempotency key, so nothing is queued twice) with a line
saying whom they were for; further admins get copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from teamassist.chat.types import Reply
from teamassist.enums import ChannelPurpose, Platform
from teamassist.i18n import t
from teamassist.outbox import service as outbox_service
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.team import service as team_service
from teamassist.team.models import Channel, Member, Team, TeamMembership

DIRECT_PLATFORMS = (Platform.FEISHU.value, Platform.QQ.value, Platform.WEB.value)


def direct_address(member: Member) -> tuple[str, str]:
    """Where a direct notice to ``member`` goes (as ``chat.notify.to_member`` chooses)."""
    identities = {i.platform: i for i in member.identities}
    for platform in DIRECT_PLATFORMS:
        if platform in identities:
            return platform, identities[platform].user_key
    return Platform.WEB.value, f"member:{member.id}"


def _addresses(member: Member) -> list[tuple[str, str]]:
    found = [(i.platform, i.user_key) for i in member.identities]
    return [*found, (Platform.WEB.value, f"member:{member.id}")]


def pending_direct(session: Session, *, member: Member) -> list[OutboxMessage]:
    """Notices waiting to go to ``member`` directly (not to a channel)."""
    wanted = or_(
        *(
            and_(OutboxMessage.platform == platform, OutboxMessage.address == address)
            for platform, address in _addresses(member)
        )
    )
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.workspace_id == member.workspace_id,
                OutboxMessage.channel_id.is_(None),
                OutboxMessage.status == OutboxStatus.PENDING,
                wanted,
            )
            .order_by(OutboxMessage.id)
        )
    )


def still_queued(session: Session, ids: Sequence[int]) -> int:
    """How many of the outbox rows ``ids`` are still there (re-routed, not dropped)."""
    return len(session.scalars(select(OutboxMessage.id).where(OutboxMessage.id.in_(ids))).all())


def _duty_channel(session: Session, teams: Sequence[Team]) -> Channel | None:
    for team in teams:
        found = team_service.channels(
            session,
            workspace_id=team.workspace_id,
            team_id=team.id,
            purpose=ChannelPurpose.INTERNAL.value,
        )
        if found:
            return found[0]
    return None


def _admins(session: Session, teams: Sequence[Team], member: Member) -> list[Member]:
    found: dict[int, Member] = {}
    for team in teams:
        for admin in team_service.admins(session, team=team):
            if admin.active and admin.id != member.id:
                found.setdefault(admin.id, admin)
    return list(found.values())


def member_teams(session: Session, *, member: Member) -> list[Team]:
    """The teams ``member`` belongs to, oldest first."""
    return list(
        session.scalars(
            select(Team)
            .join(TeamMembership, TeamMembership.team_id == Team.id)
            .where(TeamMembership.member_id == member.id)
            .order_by(Team.id)
        )
    )


def pending_direct_notices(
    session: Session, *, member: Member, teams: Sequence[Team], now: datetime
) -> int:
    """Re-route ``member``'s pending direct notices; returns how many were re-routed."""
    rows = pending_direct(session, member=member)
    if not rows:
        return 0
    channel = _duty_channel(session, teams)
    admins = [] if channel is not None else _admins(session, teams, member)
    if channel is None and not admins:
        return 0  # nobody else to tell: the notices stay for the member's history
    for row in rows:
        reply = Reply.model_validate(row.payload)
        note = t("people.rerouted_note", name=member.display_name)
        reply.body = f"{note}\n\n{reply.body}" if reply.body else note
        row.payload = reply.model_dump(mode="json")
        if channel is not None:
            row.platform, row.address = channel.platform, channel.address
            row.channel_id = channel.id
            continue
        first, *others = admins
        row.platform, row.address = direct_address(first)
        for admin in others:
            platform, address = direct_address(admin)
            outbox_service.enqueue(
                session,
                key=f"{row.idempotency_key}:re{admin.id}",
                platform=platform,
                address=address,
                reply=reply,
                now=now,
                workspace_id=member.workspace_id,
                not_before=row.next_attempt_at,
            )
    session.flush()
    return len(rows)
