"""Which team a person in several teams acts for where no channel binds the chat.

A group chat is bound to its team by its channel. A direct chat, the web chat, the CLI and the
chat API are not: they land in the team the person chose with ``/切换团队``, else their first
team by id (``chat.placement`` reads ``TeamMembership.chosen`` in the statement that places
every message). A person in teams A and B, told to ``/值班签到`` for B, had no way to act for B
from those chats (tester F4, session 20).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from teamassist.enums import Role
from teamassist.exceptions import Conflict, NotFound, PermissionDenied
from teamassist.team.models import Member, Team, TeamMembership
from teamassist.team.names import team_list, teams_answering


@dataclass(frozen=True)
class Membership:
    """One team of a person: the team, their role there, whether they chose it."""

    team: Team
    role: Role
    chosen: bool


def memberships(session: Session, *, member: Member) -> list[Membership]:
    """Every team ``member`` is in, in ``member``'s workspace, by team id."""
    rows = session.execute(
        select(Team, TeamMembership.role, TeamMembership.chosen)
        .join(TeamMembership, TeamMembership.team_id == Team.id)
        .where(TeamMembership.member_id == member.id, Team.workspace_id == member.workspace_id)
        .order_by(Team.id)
    ).all()
    return [Membership(team, Role(role), bool(chosen)) for team, role, chosen in rows]


def acting_for(found: list[Membership]) -> Membership | None:
    """Of a person's :func:`memberships`, the one their unbound chats act for: the chosen
    one, else the first (the rule of ``chat.placement``); None when they are in no team."""
    return next((m for m in found if m.chosen), found[0] if found else None)


_SHOWN = 40  # characters of an unknown team name a refusal repeats


def choose(session: Session, *, member: Member, name: str) -> Membership:
    """Make the team ``name`` names (read as ``--team`` reads it: ``names.teams_answering``,
    ``#3`` the id, else key, name or id at once) the one ``member``'s unbound chats act for;
    any earlier choice is dropped. Returns that membership.

    Raises NotFound ``core.switch_team.unknown`` (no such team in the workspace),
    PermissionDenied ``core.switch_team.not_member`` (a team they are not in); both name the
    teams they are in. Conflict ``core.switch_team.ambiguous`` when two of their teams answer
    to it (``3``: one named 3, the other #3), naming both (tester s28 E-17: the name was
    taken without a word, and ``#3`` was "not found"). Flushes, never commits."""
    # 「运维组」 as copied from a reply, or @运维组, names the team too; an unknown name is
    # echoed in part (a 3,000-character one came back whole, tester F13, session 21)
    name = name.strip().strip("「」『』\"'“”").lstrip("@＠").strip()
    found = memberships(session, member=member)
    teams = "、".join(m.team.name for m in found) or "-"
    shown = name if len(name) <= _SHOWN else name[:_SHOWN] + "…"
    answering = teams_answering((m.team for m in found), name)
    if len(answering) > 1:
        raise Conflict(
            "core.switch_team.ambiguous",
            team=shown,
            teams=team_list(answering),
            id=answering[0].id,
        )
    target = next((m for m in found if answering and m.team.id == answering[0].id), None)
    if target is None:
        others = session.scalars(select(Team).where(Team.workspace_id == member.workspace_id))
        exists = teams_answering(others, name)
        if exists:
            named = "、".join(team.name for team in exists)
            raise PermissionDenied("core.switch_team.not_member", team=named, teams=teams)
        raise NotFound("core.switch_team.unknown", team=shown, teams=teams)
    session.execute(
        update(TeamMembership)
        .where(TeamMembership.member_id == member.id)
        .values(chosen=TeamMembership.team_id == target.team.id)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return Membership(target.team, target.role, True)
