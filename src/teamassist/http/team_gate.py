"""Route dependencies that refuse a caller outside the team a request names (``team_id`` in
the query; the caller's home team without one), before FastAPI reads the body.

Read here rather than declared, so the refusal does not wait on that parameter's validation
and a caller outside the team never learns a route's shape from a 422 (issue 11). The
workspace owner (a member-less account or the global API token) is in every team.
"""

from __future__ import annotations

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from teamassist.http.auth import Principal
from teamassist.http.deps import PrincipalDep, SessionDep, team_of
from teamassist.team import service as team_service

# Methods that change nothing: what a gate on writes lets through.
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def query_team_id(request: Request) -> int | None:
    """``team_id`` of the query (REST; ``team`` on dashboard pages) as a number; None when
    absent or malformed (the route's own validation answers for a malformed one later)."""
    raw = request.query_params.get("team_id", request.query_params.get("team"))
    if raw is None or not raw.isdecimal() or len(raw) > 18:
        return None
    return int(raw)


def member_gate(request: Request, session: SessionDep, principal: PrincipalDep) -> None:
    """Refuse (``core.error.not_in_team``, 403) unless the caller is in the named team or is
    its director (who may sit in a parent team and acknowledges its retrospectives); another
    workspace's team is not found (404)."""
    require_member(request, session, principal)


def require_member(request: Request, session: Session, principal: Principal) -> None:
    """:func:`member_gate`'s rule for a principal found either way (pages find theirs by the
    session cookie and send a browser to sign in: ``teamassist.http.render``)."""
    team = team_of(session, principal, query_team_id(request))
    if principal.member is not None and principal.member.id == team.director_id:
        return
    team_service.require_in_team(
        session, team=team, member=principal.member, key="core.error.not_in_team"
    )


def member_write_gate(request: Request, session: SessionDep, principal: PrincipalDep) -> None:
    """:func:`member_gate` for requests that change something; reads pass (for routers whose
    reads are open to the whole workspace on purpose, such as OKRs: docs/okr.md)."""
    if request.method not in _READS:
        member_gate(request, session, principal)


MEMBER_GATE = Depends(member_gate)
MEMBER_WRITE_GATE = Depends(member_write_gate)
