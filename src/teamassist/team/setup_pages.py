"""The dashboard's first-run page (``/setup``) and the workspace page (export, delete).

``/setup`` exists only while the install has no workspace, and only for whoever holds the
one-time token the server prints in its log at start (:func:`announce_setup`): a stranger who
reaches a fresh server first cannot take it over. Once a workspace exists it answers 404.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import sys
from typing import Annotated
from urllib.parse import quote

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from teamassist.database import transaction
from teamassist.exceptions import DomainError, PermissionDenied
from teamassist.http import auth
from teamassist.http.deps import RuntimeDep, SessionDep
from teamassist.http.errors import require_admin
from teamassist.http.render import PagePrincipal, render
from teamassist.http.routes import Routes
from teamassist.runtime import Runtime
from teamassist.team import service
from teamassist.team.accounts import check_password
from teamassist.team.archive import export_workspace
from teamassist.team.setup_models import FIRST_RUN_SLOT, FirstRunClaim
from teamassist.team.workspaces import (
    Founding,
    any_workspace,
    delete_workspace,
    found,
)

log = logging.getLogger(__name__)
router = Routes(include_in_schema=False)

_FORM_KEY = "setup_form"  # the setup form's own CSRF token, in the (not yet signed-in) cookie


SETUP_TOKEN = "web:setup_token"  # its name in the runtime's shared state
SETUP_TOKEN_DAYS = 30


def setup_token(app: FastAPI) -> str:
    """The install's one-time setup token (made on first use).

    Kept in the runtime's shared state, so with several web replicas the link one of them
    logged works on whichever the load balancer picks (the first to store it wins).
    """
    shared = app.state.runtime.shared
    token: str | None = shared.get(SETUP_TOKEN)
    while token is None:  # a second pass only if it expired between the two calls
        shared.put(
            SETUP_TOKEN,
            secrets.token_urlsafe(24),
            ttl=SETUP_TOKEN_DAYS * 86400.0,
            only_new=True,
        )
        token = shared.get(SETUP_TOKEN)
    return token


def announce_setup(app: FastAPI) -> str | None:
    """On a fresh install (no workspace, not demo mode) log the one-time setup link; return it."""
    runtime: Runtime = app.state.runtime
    if runtime.settings.web.demo_mode:
        return None
    with transaction(runtime.factory, read_only=True) as session:
        if any_workspace(session):
            return None
    url = f"{runtime.settings.web.public_url.rstrip('/')}/setup?token={setup_token(app)}"
    # Written to the console, not logged: the log filter masks every ``token=`` (rightly, for
    # credentials in URLs), which left the operator a link ending in ``token=***``.
    sys.stderr.write(f"首次设置：在浏览器打开 / first-run setup: open {url}\n")
    sys.stderr.flush()
    log.warning("首次设置链接已打印在服务器控制台 / the first-run setup link is on the console")
    return url


def _open(request: Request, session: SessionDep, runtime: Runtime) -> None:
    """Refuse (404) once the install has a workspace, or in demo mode."""
    if runtime.settings.web.demo_mode or any_workspace(session):
        raise HTTPException(status_code=404)


def _already_set_up(request: Request) -> HTMLResponse:
    """409: a submission that came too late (another one founded the workspace first)."""
    return _status(render(request, "setup/already_set_up.html", None), 409)


def _token_ok(request: Request, token: str) -> bool:
    return bool(token) and hmac.compare_digest(token.encode(), setup_token(request.app).encode())


def _form(request: Request, token: str, error: str | None, values: dict[str, str]) -> HTMLResponse:
    form_key = request.session.get(_FORM_KEY) or secrets.token_urlsafe(24)
    request.session[_FORM_KEY] = form_key
    response = render(
        request,
        "setup/first_run.html",
        None,
        token=token,
        form_key=form_key,
        error=error,
        values=values,
        default_timezone=request.app.state.runtime.settings.default_timezone,
    )
    response.status_code = 400 if error else 200
    return response


@router.get("/setup", response_class=HTMLResponse)
def setup_form(
    request: Request, session: SessionDep, runtime: RuntimeDep, token: str = ""
) -> HTMLResponse:
    """The first-run form (with the token from the server log), else how to get the link."""
    _open(request, session, runtime)
    if not _token_ok(request, token):
        return _status(render(request, "setup/token_needed.html", None), 403)
    return _form(request, token, None, {})


@router.post("/setup", response_model=None)
def setup_submit(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    token: Annotated[str, Form()],
    form_key: Annotated[str, Form()],
    workspace: Annotated[str, Form()],
    team: Annotated[str, Form()],
    handle: Annotated[str, Form()],
    password: Annotated[str, Form()],
    password_again: Annotated[str, Form()],
    timezone: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    workspace_key: Annotated[str, Form()] = "",
) -> Response:
    """Found the workspace, team and admin, and sign the admin in.

    Of several submissions at once exactly one founds the workspace: each writes the
    :class:`FirstRunClaim` row (one fixed key) in its transaction; the database lets one commit,
    the others fail on the key, are run again by the retry middleware, and answer 409 with the
    "already set up" page, having written nothing.
    """
    if runtime.settings.web.demo_mode:
        raise HTTPException(status_code=404)
    if any_workspace(session):
        return _already_set_up(request)
    expected = request.session.get(_FORM_KEY)
    if not _token_ok(request, token):
        return _status(render(request, "setup/token_needed.html", None), 403)
    if not isinstance(expected, str) or not hmac.compare_digest(form_key, expected):
        raise PermissionDenied("core.error.csrf")
    values = {
        "workspace": workspace,
        "workspace_key": workspace_key,
        "team": team,
        "timezone": timezone,
        "handle": handle,
        "name": name,
    }
    try:
        if password != password_again:
            raise DomainError("setup.error.password_mismatch")
        check_password(password)
        done = found(
            session,
            Founding(
                workspace_name=workspace,
                workspace_key=workspace_key.strip() or None,
                team_name=team,
                timezone=timezone.strip() or runtime.settings.default_timezone,
                admin_handle=handle,
                admin_name=name,
            ),
            password_hash=auth.hash_password(password),
        )
        # The claim in the same transaction: a concurrent claimant waits here for our commit
        # (PostgreSQL, MariaDB) or for the write lock (SQLite), then fails on the key.
        session.add(
            FirstRunClaim(
                slot=FIRST_RUN_SLOT, workspace_id=done.workspace.id, claimed_at=runtime.clock()
            )
        )
        session.flush()
    except DomainError as exc:
        session.rollback()
        return _form(request, token, exc.message(), values)
    assert done.account is not None
    auth.start_session(request, session, done.account, runtime.clock())
    log.info("first-run setup done: workspace %s, admin %s", done.workspace.key, done.admin.handle)
    return RedirectResponse("/", status_code=303)


@router.get("/workspace", response_class=HTMLResponse)
def workspace_page(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    """Export or delete the workspace (admin only)."""
    _admin(session, principal)
    return render(request, "setup/workspace.html", principal, error=None)


@router.get("/workspace/export")
def workspace_download(
    session: SessionDep, principal: PagePrincipal, runtime: RuntimeDep
) -> Response:
    """The workspace's zip (the page's button; as ``GET /api/v1/workspace/export``)."""
    _admin(session, principal)
    runtime.import_models()  # every domain's tables, loaded or not
    archive = export_workspace(session, workspace=principal.workspace, now=runtime.clock())
    return zip_response(archive.data, archive.filename)


@router.post("/workspace/delete", response_model=None)
def workspace_remove(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Delete the workspace once its name is typed; the admin's session ends with it."""
    _admin(session, principal)
    try:
        delete_workspace(session, workspace=principal.workspace, confirm=confirm)
    except DomainError as exc:
        page = render(request, "setup/workspace.html", principal, error=exc.message())
        return _status(page, 400)
    request.session.clear()
    # "/" sends on to the sign-in page, or to /setup when no workspace is left
    return RedirectResponse("/", status_code=303)


def _status(response: HTMLResponse, code: int) -> HTMLResponse:
    response.status_code = code
    return response


def _admin(session: SessionDep, principal: PagePrincipal) -> None:
    require_admin(
        session, principal, service.default_team(session, workspace_id=principal.workspace.id)
    )


def zip_response(data: bytes, filename: str) -> Response:
    """A zip download named ``filename``."""
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
