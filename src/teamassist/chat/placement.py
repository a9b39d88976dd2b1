"""Where a chat message lands: its team and the speaker's role there, in one statement.

Every command needs both before its permission check. Asked as three (the chat's channel, the
workspace's first team, the membership) they were half the statements of ``/帮助`` and, with
statement building, a third of its CPU time (issue #9 profile). The statement is built once, at
import, with bound parameters: SQLAlchemy then also reuses its compiled form and cache key.
"""

from __future__ import annotations

from sqlalchemy import Select, String, and_, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from teamassist.enums import Role
from teamassist.exceptions import NotFound
from teamassist.team.models import (
    ACTING_ORDER,
    Channel,
    Member,
    Team,
    TeamMembership,
    Workspace,
)

# The team of the chat's channel (the first channel bound to a team, by id), else the
# speaker's own first team, else the workspace's first team, as one expression.
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
# A chat no channel binds (a direct chat, the web and CLI chat) lands in the speaker's own
# team: the one they chose with /切换团队, else the first of theirs by id; only someone in no
# team at all lands in the workspace's first team, its open desk. Before, everyone landed
# there: a member of a second team only was "未加入本团队" in the first and could not use their
# own (tester s16 N2); and a person in two teams could not act for the second (tester s20 F4).
_OWN_TEAM = (
    select(TeamMembership.team_id)
    .join(Team, Team.id == TeamMembership.team_id)
    .where(
        TeamMembership.member_id == bindparam("member_id"),
        Team.workspace_id == bindparam("workspace_id"),
    )
    .order_by(*ACTING_ORDER)
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
_PLACEMENT = select(Team, _ROLE).where(
    Team.id == func.coalesce(_CHANNEL_TEAM, _OWN_TEAM, _FIRST_TEAM)
)


def team_and_role(
    session: Session, *, workspace_id: int, platform: str, chat_key: str, member_id: int | None
) -> tuple[Team, Role | None]:
    """The team chat ``chat_key`` on ``platform`` belongs to (its channel's, else the team
    ``member_id`` chose with /切换团队, else the first of their teams, else the workspace's
    first team) and ``member_id``'s role in it
    (None: not in it, or no member yet).

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


# What a principal lookup adds to its own statement so that a command needs no second one
# (:func:`with_own_chat`): the same rule as ``_PLACEMENT``, for the member's own direct chat
# ``<platform>:<handle>`` on the platform bound as ``placed_on``.
_OWN_CHAT_KEY = bindparam("placed_prefix", type_=String) + Member.handle
_FIRST_OWN_TEAM = aliased(Team)


def with_own_chat(
    query: Select[Workspace, Member],
) -> Select[Workspace, Member, Team | None, str | None, str | None]:
    """``query`` (which selects ``Workspace`` and ``Member``) with three more columns: the
    team the member's own direct chat lands in (:class:`Team`, outer-joined: None when the
    workspace has no team), the member's role there (a string, None when not in it) and the
    configured name of a channel at that chat's address (None: none is configured).

    Execute it with :func:`own_chat_params` for the platform; read the first two added columns
    with :func:`own_chat`, the third with :func:`own_chat_name`.
    """
    channel_team = (
        select(Channel.team_id)
        .where(
            Channel.workspace_id == Workspace.id,
            Channel.platform == bindparam("placed_on", type_=String),
            Channel.address == _OWN_CHAT_KEY,
            Channel.team_id.is_not(None),
        )
        .order_by(Channel.id)
        .limit(1)
        .correlate(Workspace, Member)
        .scalar_subquery()
    )
    own_team = (
        select(TeamMembership.team_id)
        .join(_FIRST_OWN_TEAM, _FIRST_OWN_TEAM.id == TeamMembership.team_id)
        .where(
            TeamMembership.member_id == Member.id,
            _FIRST_OWN_TEAM.workspace_id == Workspace.id,
        )
        .order_by(*ACTING_ORDER)
        .limit(1)
        .correlate(Workspace, Member)
        .scalar_subquery()
    )
    first_team = (
        select(func.min(_FIRST_OWN_TEAM.id))
        .where(_FIRST_OWN_TEAM.workspace_id == Workspace.id)
        .correlate(Workspace)
        .scalar_subquery()
    )
    role = (
        select(TeamMembership.role)
        .where(TeamMembership.team_id == Team.id, TeamMembership.member_id == Member.id)
        .correlate(Team, Member)
        .scalar_subquery()
    )
    # What feedback.flows.channel_name asks of the origin (a /问题反馈 or /产品建议 records
    # it): the same rule, here instead of a statement of its own per report.
    name = (
        select(Channel.name)
        .where(
            Channel.workspace_id == Workspace.id,
            Channel.platform == bindparam("placed_on", type_=String),
            Channel.address == _OWN_CHAT_KEY,
        )
        .limit(1)
        .correlate(Workspace, Member)
        .scalar_subquery()
    )
    # The workspace named in the join as well: the team is one of the workspace's (were a
    # channel bound to another's, no team comes back and the dispatcher asks on its own), and
    # SQLAlchemy's cartesian-product check sees the join linked (it warned on MariaDB).
    return query.add_columns(Team, role, name).outerjoin(
        Team,
        and_(
            Team.workspace_id == Workspace.id,
            Team.id == func.coalesce(channel_team, own_team, first_team),
        ),
    )


def own_chat_params(platform: str) -> dict[str, str]:
    """The parameters :func:`with_own_chat` binds, for a direct chat on ``platform``."""
    return {"placed_on": platform, "placed_prefix": f"{platform}:"}


def own_chat_name(name: str | None) -> str:
    """The third column :func:`with_own_chat` added, as ``feedback.flows.channel_name``
    answers it ('' when no channel is configured at the chat's address)."""
    return name or ""


def own_chat(team: Team | None, role: str | None) -> tuple[Team, Role | None] | None:
    """The two columns :func:`with_own_chat` added, as :func:`team_and_role` answers them
    (None: the workspace has no team, so ``team_and_role`` must refuse it itself)."""
    if team is None:
        return None
    return team, Role(role) if role else None
