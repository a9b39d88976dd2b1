"""Where a chat message lands: its team and the speaker's role there, in one statement.

Every command needs both before its permission check. Asked as three (the chat's channel, the
workspace's first team, the membership) they were half the statements of ``/帮助`` and, with
statement building, a third of its CPU time (issue #9 profile). The statement is built once, at
import, with bound parameters: SQLAlchemy then also reuses its compiled form and cache key.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from teamassist.enums import Role
from teamassist.exceptions import NotFound
from teamassist.team.models import Channel, Team, TeamMembership

# The team of the chat's channel (the first channel bound to a team, by id), else the
# workspace's first team: what ``team_service.team_for_chat`` answers, as one expression.
_CHANNEL_TEAM = (
    select(Channel.team_id)
    .where(
        Channel.workspace_id == bindparam("workspace_id"),
        Channel.platform == bindparam("platform"),
        Channel.address == bindparam("chat_key"),
        Channel.team_id.is_not(None),
    )
    .order_by(Channel.id)
    .limit(1)
    .scalar_subquery()
)
_FIRST_TEAM = (
    select(func.min(Team.id)).where(Team.workspace_id == bindparam("workspace_id"))
).scalar_subquery()
_ROLE = (
    select(TeamMembership.role)
    .where(TeamMembership.team_id == Team.id, TeamMembership.member_id == bindparam("member_id"))
    .correlate(Team)
    .scalar_subquery()
)
_PLACEMENT = select(Team, _ROLE).where(Team.id == func.coalesce(_CHANNEL_TEAM, _FIRST_TEAM))


def team_and_role(
    session: Session, *, workspace_id: int, platform: str, chat_key: str, member_id: int | None
) -> tuple[Team, Role | None]:
    """The team chat ``chat_key`` on ``platform`` belongs to (its channel's, else the
    workspace's first team) and ``member_id``'s role in it (None: not in it, or no member yet).

    Raises NotFound (``core.error.no_team``) when the workspace has no team.
    """
    row = session.execute(
        _PLACEMENT,
        {
            "workspace_id": workspace_id,
            "platform": platform,
            "chat_key": chat_key,
            "member_id": member_id,
        },
    ).first()
    if row is None:
        raise NotFound("core.error.no_team", team="-")
    team, role = row
    return team, Role(role) if role else None
