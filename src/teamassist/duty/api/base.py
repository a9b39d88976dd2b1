"""What the duty REST routers share: the router shape, and the rotation, team and people a
request names, checked against the caller's workspace."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.duty import service
from teamassist.duty.models import Rotation
from teamassist.exceptions import NotFound, PermissionDenied
from teamassist.http.auth import Principal
from teamassist.http.deps import require_team_person, team_of
from teamassist.http.routes import Routes
from teamassist.http.team_gate import MEMBER_GATE, row_gate
from teamassist.team.models import Member, Team


def _rotation_team(session: Session, rotation_id: int) -> int | None:
    return session.scalar(select(Rotation.team_id).where(Rotation.id == rotation_id))


# A team's roster is its own people's (and its director's): a route naming a team
# (``/teams/{team_id}``, ``?team_id=``) or one of its rotations refuses anyone else before the
# body is read (403 ``core.error.not_in_team``).
_GATES = [MEMBER_GATE, row_gate("rotation_id", _rotation_team)]


def resource_router() -> Routes:
    """A router for one resource; every duty endpoint lives under /api/v1/duty."""
    return Routes(prefix="/duty", tags=["duty"], dependencies=_GATES)


def rotation_of(session: Session, principal: Principal, rotation_id: int) -> tuple[Rotation, Team]:
    """The rotation of the caller's workspace, and its team, which the caller must be one of
    the people of (403 ``core.error.not_in_team``): asked here too, not only by the router's
    row gate, whose reading of the id once differed from the route's (tester s28 D-1)."""
    rotation = service.get_rotation_by_id(
        session, workspace_id=principal.workspace.id, rotation_id=rotation_id
    )
    team = team_of(session, principal, rotation.team_id)
    require_team_person(session, principal, team)
    return rotation, team


def team_members(
    session: Session, principal: Principal, team: Team, ids: Sequence[int]
) -> list[Member]:
    """The members behind ``ids``, in order; each must belong to the team."""
    found = service.members_by_id(session, ids)
    members: list[Member] = []
    for member_id in ids:
        member = found.get(member_id)
        if member is None or member.workspace_id != principal.workspace.id:
            raise NotFound("core.error.unknown_member", who=str(member_id))
        members.append(member)
    service.check_team_members(session, team=team, members=members)
    return members


def caller(principal: Principal) -> Member:
    """The member calling (a token not tied to a member cannot sign in or out)."""
    if principal.member is None:
        raise PermissionDenied("duty.error.no_member")
    return principal.member
