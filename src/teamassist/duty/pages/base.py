"""What every duty page shares: its router, the team it shows, the layout around it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from teamassist.clock import local
from teamassist.duty import dates
from teamassist.exceptions import DomainError
from teamassist.http.auth import Principal
from teamassist.http.deps import SessionDep, team_of
from teamassist.http.errors import is_admin
from teamassist.http.render import PagePrincipal, render
from teamassist.team.models import Member, Team


def screen_router() -> APIRouter:
    """A router for one screen; its URLs live under /duty and stay out of the OpenAPI schema."""
    return APIRouter(prefix="/duty", include_in_schema=False)


def page_team(session: SessionDep, principal: PagePrincipal, team: int | None = None) -> Team:
    """The team a page shows: ``?team=`` (the default team when absent)."""
    return team_of(session, principal, team)


PageTeamDep = Annotated[Team, Depends(page_team)]


def names_of(people: dict[int, Member]) -> dict[int, str]:
    return {i: m.display_name for i, m in people.items()}


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
        local=local,
        tz=team.timezone,
        **context,
    )


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise DomainError("duty_web.error.bad_date", value=value[:20]) from exc
    return dates.check(day)  # within the duty desk's window, like chat and REST
