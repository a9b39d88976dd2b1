"""Where a chat message lands: its team and the speaker's role there, in one statement.

Every command needs both before its permission check. Asked as three (the chat's channel, the
workspace's first team, the membership) they were half the statements of ``/帮助`` and, with
statement building, a third of its CPU time (issue #9 profile). The statement is built once, at
import, with bound parameters: SQLAlchemy then also reuses its compiled form and cache key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, String, Table, and_, bindparam, func, select
from sqlalchemy.orm import Session

from teamassist.enums import Role
from teamassist.exceptions import NotFound
from teamassist.row_objects import RowObjects, first_row
from teamassist.team.models import (
    ACTING_ORDER,
    Channel,
    Member,
    Team,
    TeamMembership,
    Workspace,
)

# Every statement here is written over the tables, not the mapped classes: it runs as plain
# Core and its rows are made into the session's objects by :mod:`teamassist.row_objects`
# (ORM loading was about half of a ``/帮助``, session 23).
WORKSPACES = RowObjects(Workspace)
MEMBERS = RowObjects(Member)
TEAMS = RowObjects(Team)
_WORKSPACE, _MEMBER, _TEAM = WORKSPACES.table, MEMBERS.table, TEAMS.table
_MEMBERSHIP: Table = TeamMembership.__table__  # type: ignore[assignment]
_CHANNEL: Table = Channel.__table__  # type: ignore[assignment]

# The team of the chat's channel (the first channel bound to a team, by id), else the
# speaker's own first team, else the workspace's first team, as one expression.
_CHANNEL_TEAM = (
    select(_CHANNEL.c.team_id)
    .where(
        _CHANNEL.c.workspace_id == bindparam("workspace_id"),
        _CHANNEL.c.platform == bindparam("platform"),
        _CHANNEL.c.address == bindparam("chat_key"),
        _CHANNEL.c.team_id.is_not(None),
    )
    .order_by(_CHANNEL.c.id)
    .limit(1)
    .scalar_subquery()
)
# A chat no channel binds (a direct chat, the web and CLI chat) lands in the speaker's own
# team: the one they chose with /切换团队, else the first of theirs by id; only someone in no
# team at all lands in the workspace's first team, its open desk. Before, everyone landed
# there: a member of a second team only was "未加入本团队" in the first and could not use their
# own (tester s16 N2); and a person in two teams could not act for the second (tester s20 F4).
_OWN_TEAM = (
    select(_MEMBERSHIP.c.team_id)
    .join(_TEAM, _TEAM.c.id == _MEMBERSHIP.c.team_id)
    .where(
        _MEMBERSHIP.c.member_id == bindparam("member_id"),
        _TEAM.c.workspace_id == bindparam("workspace_id"),
    )
    .order_by(*ACTING_ORDER)
    .limit(1)
    .scalar_subquery()
)
_FIRST_TEAM = (
    select(func.min(_TEAM.c.id)).where(_TEAM.c.workspace_id == bindparam("workspace_id"))
).scalar_subquery()
_ROLE = (
    select(_MEMBERSHIP.c.role)
    .where(
        _MEMBERSHIP.c.team_id == _TEAM.c.id,
        _MEMBERSHIP.c.member_id == bindparam("member_id"),
    )
    .correlate(_TEAM)
    .scalar_subquery()
)
_PLACEMENT = select(*TEAMS.columns, _ROLE).where(
    _TEAM.c.id == func.coalesce(_CHANNEL_TEAM, _OWN_TEAM, _FIRST_TEAM)
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
    row = first_row(
        session,
        _PLACEMENT,
        {
            "workspace_id": workspace_id,
            "platform": platform,
            "chat_key": chat_key,
            "member_id": member_id,
        },
    )
    team = None if row is None else TEAMS.of(session, row[: TEAMS.width])
    if team is None:
        raise NotFound("core.error.no_team", team="-")
    role = row[-1] if row is not None else None
    return team, Role(role) if role else None


# What a principal lookup adds to its own statement so that a command needs no second one
# (:func:`with_own_chat`): the same rule as ``_PLACEMENT``, for the member's own direct chat
# ``<platform>:<handle>`` on the platform bound as ``placed_on``.
_OWN_CHAT_KEY = bindparam("placed_prefix", type_=String) + _MEMBER.c.handle
_FIRST_OWN_TEAM = _TEAM.alias("first_own_team")


def with_own_chat(query: Select[Any]) -> Select[Any]:
    """``query`` (a Core select over the ``workspace`` and ``member`` tables, e.g. of
    ``WORKSPACES.columns`` and ``MEMBERS.columns``) with more columns: the team the member's own
    direct chat lands in (``TEAMS.columns``, outer-joined: all NULL when the workspace has no
    team), the member's role there (a string, None when not in it) and the configured name of a
    channel at that chat's address (None: none is configured).

    Execute it with :func:`own_chat_params` for the platform; read the added columns with
    :func:`placed` (``PLACED_WIDTH`` of them, last in the row).
    """
    channel_team = (
        select(_CHANNEL.c.team_id)
        .where(
            _CHANNEL.c.workspace_id == _WORKSPACE.c.id,
            _CHANNEL.c.platform == bindparam("placed_on", type_=String),
            _CHANNEL.c.address == _OWN_CHAT_KEY,
            _CHANNEL.c.team_id.is_not(None),
        )
        .order_by(_CHANNEL.c.id)
        .limit(1)
        .correlate(_WORKSPACE, _MEMBER)
        .scalar_subquery()
    )
    own_team = (
        select(_MEMBERSHIP.c.team_id)
        .join(_FIRST_OWN_TEAM, _FIRST_OWN_TEAM.c.id == _MEMBERSHIP.c.team_id)
        .where(
            _MEMBERSHIP.c.member_id == _MEMBER.c.id,
            _FIRST_OWN_TEAM.c.workspace_id == _WORKSPACE.c.id,
        )
        .order_by(*ACTING_ORDER)
        .limit(1)
        .correlate(_WORKSPACE, _MEMBER)
        .scalar_subquery()
    )
    first_team = (
        select(func.min(_FIRST_OWN_TEAM.c.id))
        .where(_FIRST_OWN_TEAM.c.workspace_id == _WORKSPACE.c.id)
        .correlate(_WORKSPACE)
        .scalar_subquery()
    )
    role = (
        select(_MEMBERSHIP.c.role)
        .where(_MEMBERSHIP.c.team_id == _TEAM.c.id, _MEMBERSHIP.c.member_id == _MEMBER.c.id)
        .correlate(_TEAM, _MEMBER)
        .scalar_subquery()
    )
    # What feedback.flows.channel_name asks of the origin (a /问题反馈 or /产品建议 records
    # it): the same rule, here instead of a statement of its own per report.
    name = (
        select(_CHANNEL.c.name)
        .where(
            _CHANNEL.c.workspace_id == _WORKSPACE.c.id,
            _CHANNEL.c.platform == bindparam("placed_on", type_=String),
            _CHANNEL.c.address == _OWN_CHAT_KEY,
        )
        .limit(1)
        .correlate(_WORKSPACE, _MEMBER)
        .scalar_subquery()
    )
    # The workspace named in the join as well: the team is one of the workspace's (were a
    # channel bound to another's, no team comes back and the dispatcher asks on its own), and
    # SQLAlchemy's cartesian-product check sees the join linked (it warned on MariaDB).
    return query.add_columns(*TEAMS.columns, role, name).outerjoin(
        _TEAM,
        and_(
            _TEAM.c.workspace_id == _WORKSPACE.c.id,
            _TEAM.c.id == func.coalesce(channel_team, own_team, first_team),
        ),
    )


# How many columns :func:`with_own_chat` adds at the end of a row.
PLACED_WIDTH = TEAMS.width + 2


def own_chat_params(platform: str) -> dict[str, str]:
    """The parameters :func:`with_own_chat` binds, for a direct chat on ``platform``."""
    return {"placed_on": platform, "placed_prefix": f"{platform}:"}


def placed(session: Session, row: Sequence[Any]) -> tuple[tuple[Team, Role | None] | None, str]:
    """The columns :func:`with_own_chat` added to ``row`` (its last ``PLACED_WIDTH``): the
    team and role as :func:`team_and_role` answers them (None: the workspace has no team, so
    ``team_and_role`` must refuse it itself), the team an object of ``session``; and the name
    of a channel at the chat's address as ``feedback.flows.channel_name`` answers it ('' when
    none is configured)."""
    at = len(row) - PLACED_WIDTH
    team = TEAMS.of(session, row[at : at + TEAMS.width])
    role, name = row[-2], row[-1]
    return (None if team is None else (team, Role(role) if role else None)), name or ""
