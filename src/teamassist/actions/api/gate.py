"""The member gate of the action-item API: a route dependency that refuses (403) a caller who
is not in the team the request names, before FastAPI reads the body.

The action routes are for every member (who may change what is the service's rule: only the
owner finishes, the requester checks...), but not for someone outside the team: without the
gate such a caller would get 422 for a bad body and learn the route's shape, as non-admins did
on admin routes (issue 11; :mod:`teamassist.http.admin`). The team comes from ``team_id`` in the
query (the default team without one): :func:`teamassist.http.team_gate.query_team_id`.
"""

from __future__ import annotations

from fastapi import Depends, Request

from teamassist.actions import service
from teamassist.http.deps import PrincipalDep, SessionDep, team_of
from teamassist.http.team_gate import query_team_id


def member_gate(request: Request, session: SessionDep, principal: PrincipalDep) -> None:
    """Refuse (``core.error.forbidden``, 403) unless the caller is in the named team (the
    workspace owner always is); another workspace's team is not found (404)."""
    team = team_of(session, principal, query_team_id(request))
    # the workspace owner (a member-less account or the global API token) always passes
    service.require_reader(session, team=team, member=principal.member)


MEMBER_GATE = Depends(member_gate)
