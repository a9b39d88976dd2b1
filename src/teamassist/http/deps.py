"""Request dependencies: the runtime, the unit of work, and who is signed in."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from teamassist.http import auth
from teamassist.http.auth import Principal
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Team


def get_runtime(request: Request) -> Runtime:
    """The application's runtime."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_session(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Iterator[Session]:
    """One transaction per request: committed if the endpoint succeeds, rolled back if not."""
    session = runtime.factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    runtime.kick()


def current_principal(
    request: Request,
    session: Annotated[Session, Depends(get_session, scope="function")],
    runtime: Annotated[Runtime, Depends(get_runtime)],
) -> Principal:
    """Authenticate by session cookie (dashboard) or ``Authorization: Bearer`` (API token)."""
    header = request.headers.get("authorization", "")
    token = runtime.settings.web.api_token
    if header.lower().startswith("bearer ") and token is not None:
        if hmac.compare_digest(header[7:].strip(), token.get_secret_value()):
            principal = auth.token_principal(session)
            if principal is not None:
                return principal
        raise HTTPException(status_code=401, detail="invalid API token")
    principal = auth.session_principal(request, session)
    if principal is None:
        raise HTTPException(status_code=401, detail="not signed in")
    return principal


# "function" scope: commit before the response is sent, so a failed commit is a failed request.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
PrincipalDep = Annotated[Principal, Depends(current_principal)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


# -- the request kit the routers share (below the session and the principal) ---------------------


def team_of(session: Session, principal: Principal, team_id: int | None) -> Team:
    """The caller's team ``team_id`` (the workspace's default team when None); another
    workspace's team is simply not found."""
    if team_id is None:
        return team_service.default_team(session, workspace_id=principal.workspace.id)
    return team_service.get_team(session, workspace_id=principal.workspace.id, team_id=team_id)


def requested_team(
    session: SessionDep, principal: PrincipalDep, team_id: int | None = None
) -> Team:
    """The team a request names as ``team_id``, in its path (``/teams/{team_id}/...``, where
    FastAPI makes it required) or in its query (optional: the default team)."""
    return team_of(session, principal, team_id)


def request_now(runtime: RuntimeDep) -> datetime:
    """The runtime's clock, read once per request (tests freeze it)."""
    return runtime.clock()


TeamDep = Annotated[Team, Depends(requested_team)]
NowDep = Annotated[datetime, Depends(request_now)]
