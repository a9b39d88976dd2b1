"""Turn errors into one shape, and shared permission checks for endpoints.

Every REST error body is ``{"error": key, "message": text}``: domain errors, HTTPException
(401 from the auth dependency, 404/405 from Starlette's router) alike. A browser asking a dashboard
URL (not ``/api/``, ``Accept: text/html``) gets an HTML page with the same message instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from teamassist.enums import Role
from teamassist.exceptions import DomainError, PermissionDenied
from teamassist.http.auth import Principal
from teamassist.i18n import lookup, t
from teamassist.team import service as team_service
from teamassist.team.models import Team


def is_admin(session: Session, principal: Principal, team: Team) -> bool:
    """Whether the caller may administer ``team``: the one admin check, asked by pages that
    show or hide admin controls and by :func:`require_admin`."""
    if principal.member is None:
        return True  # the first local account (API token) acts as the workspace owner
    return team_service.role_of(session, team=team, member=principal.member) is Role.ADMIN


def require_admin(session: Session, principal: Principal, team: Team) -> None:
    """Refuse (PermissionDenied, 403) unless the caller is an admin of ``team``."""
    if not is_admin(session, principal, team):
        raise PermissionDenied("core.error.forbidden")


def wants_html(request: Request) -> bool:
    """A browser on a dashboard URL: anything outside ``/api/`` that accepts HTML."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def error_response(
    request: Request,
    status_code: int,
    key: str,
    message: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The one error shape: JSON ``{"error", "message"}``, or the HTML error page for browsers."""
    if wants_html(request):
        from teamassist.http.render import templates  # the page kit sits above this module

        page: HTMLResponse = templates.TemplateResponse(
            request,
            "error.html",
            {"principal": None, "status_code": status_code, "message": message},
            status_code=status_code,
            headers=dict(headers) if headers else None,
        )
        return page
    return JSONResponse(
        status_code=status_code,
        content={"error": key, "message": message},
        headers=dict(headers) if headers else None,
    )


def http_error_key(status_code: int) -> str:
    """The catalogue key of a bare HTTP status (``core.http.404``), generic when unnamed."""
    key = f"core.http.{status_code}"
    return key if lookup(key) is not None else "core.http.other"


def install(app: FastAPI) -> None:
    """Register the handlers that render every error in the one shape."""

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> Response:
        return error_response(request, exc.status_code, exc.key, exc.message())

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        key = http_error_key(exc.status_code)
        catalogued = t(key, status=exc.status_code)
        # A specific detail (e.g. "unknown status 'x'") says more than the catalogue's generic
        # line; Starlette's own default details (the status phrase) say less.
        detail = exc.detail if isinstance(exc.detail, str) else ""
        generic = detail in ("", _phrase(exc.status_code))
        message = catalogued if generic else f"{catalogued} {detail}"
        return error_response(request, exc.status_code, key, message, headers=exc.headers)


def _phrase(status_code: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return ""
