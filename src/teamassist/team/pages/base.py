"""What the people pages share: their router, the team shown, form values, the layout."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from teamassist.http.auth import Principal
from teamassist.http.deps import SessionDep, team_of
from teamassist.http.errors import is_admin, require_admin
from teamassist.http.render import PagePrincipal, render
from teamassist.team import people
from teamassist.team.models import Member, Team


def screen_router() -> APIRouter:
    """A router for one screen; its URLs live under /team and stay out of the OpenAPI schema."""
    return APIRouter(prefix="/team", include_in_schema=False)


def page_team(session: SessionDep, principal: PagePrincipal, team: int | None = None) -> Team:
    """The team a page shows: ``?team=`` (the default team when absent)."""
    return team_of(session, principal, team)


PageTeamDep = Annotated[Team, Depends(page_team)]


def admin_of(session: Session, principal: Principal, team: Team) -> Team:
    """``team``, after checking the caller administers it (else 403)."""
    require_admin(session, principal, team)
    return team


def optional_id(value: str) -> int | None:
    """A select's value: "" means none."""
    value = value.strip()
    return int(value) if value.isdigit() else None


def member_or_none(session: Session, principal: Principal, value: str) -> Member | None:
    """The workspace member a form names by id, or None for an empty choice."""
    member_id = optional_id(value)
    if member_id is None:
        return None
    return people.get_member(session, workspace_id=principal.workspace.id, member_id=member_id)


def back(path: str, team: Team, saved: bool = True) -> RedirectResponse:
    """After a form: back to the screen (303, so a reload does not post again)."""
    return RedirectResponse(f"{path}?team={team.id}{'&saved=1' if saved else ''}", status_code=303)


def page(
    request: Request,
    session: Session,
    principal: Principal,
    team: Team,
    name: str,
    tab: str,
    **context: Any,
) -> HTMLResponse:
    return render(
        request,
        name,
        principal,
        team=team,
        tab=tab,
        is_admin=is_admin(session, principal, team),
        saved=request.query_params.get("saved") == "1",
        **context,
    )
