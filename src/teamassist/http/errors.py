"""Turn domain errors into friendly JSON, and shared permission checks for endpoints."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from teamassist.enums import Role
from teamassist.exceptions import DomainError, PermissionDenied
from teamassist.http.auth import Principal
from teamassist.team import service as team_service
from teamassist.team.models import Team


def require_admin(session: Session, principal: Principal, team: Team) -> None:
    """Refuse unless the caller is an admin of ``team``."""
    if principal.member is None:
        return  # the first local account (API token) acts as the workspace owner
    if team_service.role_of(session, team=team, member=principal.member) is not Role.ADMIN:
        raise PermissionDenied("core.error.forbidden")


def install(app: FastAPI) -> None:
    """Register the handler that renders DomainError as ``{"error": key, "message": text}``."""

    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code,
            content={"error": exc.key, "message": exc.message()},
        )
