"""What every duty page shares: its router, the team it shows, the layout around it."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from teamassist.clock import local
from teamassist.exceptions import DomainError
from teamassist.http.auth import Principal
from teamassist.http.errors import require_admin
from teamassist.http.render import render
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team


def screen_router() -> APIRouter:
    """A router for one screen; its URLs live under /duty and stay out of the OpenAPI schema."""
    return APIRouter(prefix="/duty", include_in_schema=False)


def team_of(session: Session, principal: Principal, team_id: int | None) -> Team:
    if team_id is None:
        return team_service.default_team(session, workspace_id=principal.workspace.id)
    return team_service.get_team(session, workspace_id=principal.workspace.id, team_id=team_id)


def is_admin(session: Session, principal: Principal, team: Team) -> bool:
    try:
        require_admin(session, principal, team)
    except DomainError:
        return False
    return True


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
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise DomainError("duty_web.error.bad_date", value=value[:20]) from exc
