"""Route dependencies that refuse a caller outside the team a request names (``team_id`` in
the query; the caller's home team without one), before FastAPI reads the body.

Read here rather than declared, so the refusal does not wait on that parameter's validation
and a caller outside the team never learns a route's shape from a 422 (issue 11). The
workspace owner (a member-less account or the global API token) is in every team.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request, params
from sqlalchemy.orm import Session

from teamassist.http.auth import Principal
from teamassist.http.deps import PrincipalDep, SessionDep, require_team_person, team_of
from teamassist.http.fields import gate_id

# Methods that change nothing: what a gate on writes lets through.
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def query_team_id(request: Request) -> int | None:
    """``team_id`` of the path or query (REST; ``team`` on dashboard pages) as a number; None when
    absent or malformed (the route's own validation answers for a malformed one later), 404
    for one no row can have (``http.fields.gate_id``)."""
    return gate_id(
        request.path_params.get("team_id")
        or request.query_params.get("team_id", request.query_params.get("team"))
    )


def member_gate(request: Request, session: SessionDep, principal: PrincipalDep) -> None:
    """Refuse (``core.error.not_in_team``, 403) unless the caller is in the named team or is
    its director (who may sit in a parent team and acknowledges its retrospectives); another
    workspace's team is not found (404)."""
    require_member(request, session, principal)


def require_member(request: Request, session: Session, principal: Principal) -> None:
    """:func:`member_gate`'s rule for a principal found either way (pages find theirs by the
    session cookie and send a browser to sign in: ``teamassist.http.render``)."""
    team = team_of(session, principal, query_team_id(request))
    require_team_person(session, principal, team)


def member_write_gate(request: Request, session: SessionDep, principal: PrincipalDep) -> None:
    """:func:`member_gate` for requests that change something; reads pass (for routers whose
    reads are open to the whole workspace on purpose, such as OKRs: docs/okr.md)."""
    if request.method not in _READS:
        member_gate(request, session, principal)


MEMBER_GATE = Depends(member_gate)
MEMBER_WRITE_GATE = Depends(member_write_gate)


def row_gate(
    param: str, team_of_row: Callable[[Session, int], int | None], *, writes_only: bool = False
) -> params.Depends:
    """A route dependency for routes that act on one team's row by its id in the path
    (``/rotations/{rotation_id}/...``): the caller must be one of the row's team's people or
    its director (403 ``core.error.not_in_team``), asked before the body is read. A route
    without ``param``, a malformed id or a row not found passes: the route answers for those
    (404, 422). ``team_of_row(session, id)`` is the domain's look-up of the row's team id;
    ``writes_only`` lets reads through (a row whose reads follow another rule)."""

    def gate(request: Request, session: SessionDep, principal: PrincipalDep) -> None:
        if writes_only and request.method in _READS:
            return
        row_id = gate_id(request.path_params.get(param))
        if row_id is None:
            return
        team_id = team_of_row(session, row_id)
        if team_id is None:
            return
        require_team_person(session, principal, team_of(session, principal, team_id))

    gate.__name__ = f"{param}_gate"
    found: params.Depends = Depends(gate)
    return found
