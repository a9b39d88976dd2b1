"""The organisation: sub-teams and their leaders, who reports to whom, the core group (核心群),
and the OKR side's director (负责人), granted by an admin.

Like ``team.people``, every function checks before it changes and only flushes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.chat import notify
from teamassist.chat.types import Reply
from teamassist.clock import ensure_utc
from teamassist.enums import Platform, Role
from teamassist.exceptions import Conflict, NotFound, PermissionDenied
from teamassist.i18n import t
from teamassist.team import people
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team, TeamMembership, Workspace
from teamassist.team.names import blank, fold
from teamassist.team.people import Invalid

_KEY_UNSAFE = "".join(chr(c) for c in range(0x21)) + "/\\?#%<>\"'"


def _same_workspace(team: Team, other: Team | Member) -> None:
    if other.workspace_id != team.workspace_id:
        raise NotFound("people.error.other_workspace")


# -- sub-teams -------------------------------------------------------------------------------------


def create_sub_team(
    session: Session,
    *,
    workspace: Workspace,
    parent: Team | None,
    key: str,
    name: str,
    timezone: str | None = None,
    admin: Member | None = None,
) -> Team:
    """A team under ``parent`` (a top-level team when None), in the parent's time zone;
    ``admin`` (the admin creating it) becomes its first admin, so no team starts without one."""
    key = key.strip()
    # what draws nothing (U+200B, U+202E, a filler): a key nobody can see or type, or one
    # that reads as another team's (`he-xin-tuan-dui\u200b`, tester s29 F-7)
    hidden = next((c for c in key if blank(c)), None)
    if hidden is not None:
        raise Invalid("people.error.invisible_team_key", code=f"U+{ord(hidden):04X}")
    if not key or len(key) > 64 or any(c in _KEY_UNSAFE for c in key):
        raise Invalid("people.error.bad_team_key", value=key[:40])
    name = people.check_name(name)
    if parent is not None and parent.workspace_id != workspace.id:
        raise NotFound("people.error.other_workspace")
    taken = session.scalar(
        select(Team).where(Team.workspace_id == workspace.id, Team.folded_key == fold(key))
    )
    if taken is not None:
        raise Conflict("people.error.team_key_taken", value=key)
    zone = timezone or (parent.timezone if parent else "Asia/Shanghai")
    team = team_service.create_team(session, workspace=workspace, key=key, name=name, timezone=zone)
    team.parent_id = parent.id if parent else None
    session.flush()
    if admin is not None:
        _same_workspace(team, admin)
        team_service.set_role(session, team=team, member=admin, role=Role.ADMIN)
    return team


def set_parent(session: Session, *, team: Team, parent: Team | None) -> Team:
    """Move ``team`` under ``parent`` (top level when None); a team never ends up under itself."""
    if parent is not None:
        _same_workspace(team, parent)
        walk: Team | None = parent
        while walk is not None:
            if walk.id == team.id:
                raise Conflict("people.error.team_cycle", team=team.name, parent=parent.name)
            walk = session.get(Team, walk.parent_id) if walk.parent_id else None
    team.parent_id = parent.id if parent else None
    session.flush()
    return team


def set_leader(session: Session, *, team: Team, leader: Member | None) -> Team:
    """Name the team's leader (a member of the team), or nobody."""
    if leader is not None:
        _same_workspace(team, leader)
        team_service.require_active(leader)
        people.membership(session, team=team, member=leader)
    team.leader_id = leader.id if leader else None
    session.flush()
    return team


# -- managers and the core group -------------------------------------------------------------------


def check_manager(
    session: Session,
    *,
    actor: Member | None,
    member: Member,
    manager: Member | None,
    admin_of: frozenset[int] = frozenset(),
) -> None:
    """Refuse (``people.error.manager_not_yours``, nothing changed) a manager who shares no
    team with ``member`` and whom ``actor`` does not administer either
    (:func:`people.may_administer`). A manager reads their report's prep packs and 360 pool,
    so naming one is a change to *that* person too: 第二团队's admin made team 1's 张三 the
    manager of his own m2 (tester s18 F20 follow-up). A reporting line across teams (a
    sub-team's member to the parent team's director) stays possible for an admin of both,
    such as the default team's. Asked by chat, REST and the dashboard alike."""
    if manager is None or actor is None:
        return
    theirs = {row.team_id for row in people.memberships(session, member=member)}
    if theirs & {row.team_id for row in people.memberships(session, member=manager)}:
        return
    if people.may_administer(session, actor=actor, member=manager, admin_of=admin_of):
        return
    raise PermissionDenied(
        "people.error.manager_not_yours", name=member.display_name, manager=manager.display_name
    )


def set_manager(session: Session, *, member: Member, manager: Member | None) -> Member:
    """Say whom ``member`` reports to (nobody when None); never in a circle (A→B→A). Conflict
    ``people.error.inactive``/``merged`` when either has left (a line to someone gone, or of
    someone gone, only misleads the prep packs and the org chart).

    The member's row and then each row up the chain are locked before they are read, so two
    changes at the same time (A reports to B, B reports to A) cannot both pass the check: the
    later one waits, reads the earlier one's line and refuses. (Two waits that cross are a
    deadlock the database breaks; the boundary runs the loser again.)"""
    team_service.require_active(member)
    if manager is not None:
        if manager.workspace_id != member.workspace_id:
            raise NotFound("people.error.other_workspace")
        if manager.id == member.id:
            raise Invalid("people.error.manager_self", name=member.display_name)
        team_service.require_active(manager)
        people.lock_members(session, [member.id])
        seen: set[int] = set()
        walk: Member | None = manager
        while walk is not None and walk.id not in seen:
            people.lock_members(session, [walk.id])
            if walk.id == member.id:
                raise Conflict(
                    "people.error.manager_cycle",
                    name=member.display_name,
                    manager=manager.display_name,
                )
            seen.add(walk.id)
            walk = session.get(Member, walk.manager_id) if walk.manager_id else None
    member.manager_id = manager.id if manager else None
    session.flush()
    return member


def set_core(session: Session, *, team: Team, member: Member, core: bool) -> TeamMembership:
    """Put the member in (or out of) the team's core group (核心群)."""
    row = people.membership(session, team=team, member=member)
    row.core = core
    session.flush()
    return row


# -- the director (负责人) -------------------------------------------------------------------------


def grant_director(
    session: Session, *, team: Team, member: Member, by: Member | None, now: datetime
) -> Team:
    """An admin (``by``; the boundary checks the permission) makes a lead or admin of ``team``
    its director; nobody grants it to themselves.

    On Feishu the new director gets the seed's welcome and consent card once, addressed by
    their 称呼 (``director_welcomed_at`` records it).
    """
    _same_workspace(team, member)
    if by is not None and by.id == member.id:
        raise PermissionDenied("people.error.director_self")
    team_service.require_active(member)
    role = team_service.role_of(session, team=team, member=member)
    if role not in (Role.LEAD, Role.ADMIN):
        raise Conflict("people.error.director_role", name=member.display_name, team=team.name)
    if team.director_id != member.id:
        team.director_id = member.id
        team.director_welcomed_at = None
    session.flush()
    if team.director_welcomed_at is None and _on_feishu(member):
        notify.to_member(
            session,
            member=member,
            reply=director_welcome(member, team),
            key=f"people.director_welcome:{team.id}",
            now=now,
        )
        team.director_welcomed_at = ensure_utc(now)
        session.flush()
    return team


def revoke_director(session: Session, *, team: Team) -> Team:
    """The team has no director any more (a later grant welcomes the new one)."""
    if team.director_id is None:
        raise Conflict("people.error.no_director", team=team.name)
    team.director_id = None
    team.director_welcomed_at = None
    session.flush()
    return team


def _on_feishu(member: Member) -> bool:
    return any(i.platform == Platform.FEISHU.value for i in member.identities)


def director_welcome(member: Member, team: Team) -> Reply:
    """The seed's welcome and consent, as a card, addressed by the 称呼."""
    return Reply(
        title=t("people.director_welcome.title"),
        body=t(
            "people.director_welcome.body",
            address=people.addressed_as(member, team),
            team=team.name,
        ),
    )


# -- the tree --------------------------------------------------------------------------------------


@dataclass
class Person:
    """A member as the tree shows them in one team."""

    member: Member
    role: Role
    core: bool


@dataclass
class TeamNode:
    """A team, its people and its sub-teams."""

    team: Team
    leader: Member | None
    director: Member | None
    people: list[Person]
    children: list[TeamNode] = field(default_factory=list)


@dataclass
class OrgTree:
    """Top-level teams (sub-teams nested) and who reports to whom (member id → manager id)."""

    roots: list[TeamNode]
    members: dict[int, Member]
    managers: dict[int, int]


def tree(session: Session, *, workspace_id: int) -> OrgTree:
    """The organisation of a workspace, in a handful of queries."""
    teams = team_service.get_teams(session, workspace_id=workspace_id)
    members = {m.id: m for m in team_service.get_members(session, workspace_id=workspace_id)}
    rows = session.scalars(
        select(TeamMembership)
        .join(Team, Team.id == TeamMembership.team_id)
        .where(Team.workspace_id == workspace_id)
        .order_by(TeamMembership.member_id)
    )
    by_team: dict[int, list[Person]] = {t.id: [] for t in teams}
    for row in rows:
        member = members.get(row.member_id)
        if member is not None and row.team_id in by_team:
            by_team[row.team_id].append(Person(member, Role(row.role), row.core))
    nodes = {
        team.id: TeamNode(
            team=team,
            leader=members.get(team.leader_id) if team.leader_id else None,
            director=members.get(team.director_id) if team.director_id else None,
            people=by_team[team.id],
        )
        for team in teams
    }
    roots: list[TeamNode] = []
    for team in teams:
        node = nodes[team.id]
        parent = nodes.get(team.parent_id) if team.parent_id else None
        (parent.children if parent is not None else roots).append(node)
    managers = {m.id: m.manager_id for m in members.values() if m.manager_id is not None}
    return OrgTree(roots=roots, members=members, managers=managers)
