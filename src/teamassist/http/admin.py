"""The admin gate: a route dependency that refuses a non-admin (403) before the body is read.

FastAPI validates a route's body together with its other parameters, after the route's
dependencies have run; a ``require_admin(...)`` call inside the handler therefore came after
body validation, and a member who is no admin got 422 for a bad body, learning the route's
shape. Declared on the route (``dependencies=[ADMIN_GATE]``), the gate asks the same question
first. It reads ``team_id`` from the path or the query string itself (declaring it as a
parameter would tie the 403 to that parameter's validation): with one, the caller must be an
admin of that team (another workspace's team is not found); without, an admin of any team of
the workspace. The handler keeps its exact ``require_admin`` for teams named in the body.
"""

from fastapi import Depends, Request
from sqlalchemy import select

from teamassist.enums import Role
from teamassist.http.deps import PrincipalDep, SessionDep, team_of
from teamassist.http.errors import AdminRequired, require_admin
from teamassist.http.fields import gate_id
from teamassist.team.models import Team, TeamMembership


def _team_id(request: Request) -> int | None:
    # absent or malformed: the route's own validation answers for it later
    return gate_id(request.path_params.get("team_id") or request.query_params.get("team_id"))


def admin_gate(request: Request, session: SessionDep, principal: PrincipalDep) -> None:
    """Refuse (AdminRequired, 403) unless the caller administers the team the request names,
    or some team of the workspace when it names none."""
    team_id = _team_id(request)
    if team_id is not None:
        require_admin(session, principal, team_of(session, principal, team_id))
        return
    if principal.member is None:
        return  # the workspace owner: a member-less account or the global API token
    admin_somewhere = session.scalar(
        select(TeamMembership.id)
        .join(Team, Team.id == TeamMembership.team_id)
        .where(
            TeamMembership.member_id == principal.member.id,
            TeamMembership.role == Role.ADMIN.value,
            Team.workspace_id == principal.workspace.id,
        )
        .limit(1)
    )
    if admin_somewhere is None:
        raise AdminRequired()


ADMIN_GATE = Depends(admin_gate)
