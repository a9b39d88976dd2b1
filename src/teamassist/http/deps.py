"""Request dependencies: the runtime, the unit of work, and who is signed in.

A request holds at most one pooled connection, and only as many requests as the pool can serve
may hold one at a time (:func:`db_slot`): a request waits for its turn on the event loop,
before it takes a worker thread or a connection, so it can never hold one connection while
waiting for another.
"""

import hmac
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from datetime import datetime
from typing import Annotated

import anyio
from fastapi import Depends, FastAPI, HTTPException, Request
from sqlalchemy.orm import Session

from teamassist.database import READ_ONLY, request_slots
from teamassist.http import auth, tokens
from teamassist.http.auth import Principal, PrincipalLookup
from teamassist.http.fields import Id as Id  # re-exported: where routes have long found it
from teamassist.outbox.signals import queued_platforms
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Team

# Set by the retry middleware when a request is run again: its session then starts as a writer.
retrying: ContextVar[bool] = ContextVar("teamassist_request_retrying", default=False)

_READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_runtime(request: Request) -> Runtime:
    """The application's runtime.

    ``async`` (it does no I/O): FastAPI runs a plain ``def`` dependency in the thread pool, and
    that hop, once per dependency, cost more than the work under load (issue #9 profile)."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def _slots(app: FastAPI, runtime: Runtime) -> anyio.Semaphore:
    slots: anyio.Semaphore | None = getattr(app.state, "db_slots", None)
    if slots is None:  # created on the event loop, on first use
        # fast_acquire: a free slot is taken without a turn of the event loop (anyio's
        # default yields once even then: a turn per request for nothing, session 26)
        slots = app.state.db_slots = anyio.Semaphore(
            request_slots(runtime.engine), fast_acquire=True
        )
    return slots


def request_slot(request: Request) -> anyio.Semaphore:
    """The pool's admission: ``async with request_slot(request):`` around the work that takes
    a connection, on the event loop (for endpoints that run their own unit of work)."""
    return _slots(request.app, request.app.state.runtime)


def app_slot(app: FastAPI) -> anyio.Semaphore:
    """:func:`request_slot` for an ASGI app below FastAPI's routing, which has the app."""
    return _slots(app, app.state.runtime)


# The shared dependencies below read the runtime from the app rather than asking for
# ``get_runtime``: FastAPI analyses a route's whole dependency tree when it builds the route
# (every sub-dependency's signature, per route: get_runtime alone 2,298 times for ~280 routes)
# and solves it on every request. This module keeps real annotations (no postponed evaluation)
# for the same reason: FastAPI evaluates string annotations on every analysis, ~3x the cost
# of reading a signature (session 12).


async def db_slot(request: Request) -> AsyncIterator[None]:
    """Wait (on the event loop) until the pool can serve this request's one connection."""
    async with _slots(request.app, request.app.state.runtime):
        yield


def get_session(
    request: Request,
    _slot: Annotated[None, Depends(db_slot, scope="function")],
) -> Iterator[Session]:
    """One transaction per request: committed if the endpoint succeeds, rolled back if not.

    Reading requests (GET) run as SQLite readers beside the writer; a GET that writes after all
    is re-run as a writer if it loses the race (see :mod:`teamassist.http.retry`).
    """
    runtime: Runtime = request.app.state.runtime
    session = runtime.factory()
    if request.method in _READING_METHODS and not retrying.get():
        session.connection(execution_options={READ_ONLY: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    if platforms := queued_platforms(session):
        runtime.kick(platforms)


async def principal_lookup(request: Request) -> PrincipalLookup:
    """Check the credentials without the database where possible; the caller looks the
    principal up in its own session. ``Authorization: Bearer``: a member's personal token
    (``tap_…``) or the configured global token; else the dashboard's session cookie.

    ``async``: no I/O here, so no thread-pool hop (see :func:`get_runtime`). The runtime is
    read from the app, not asked for as a sub-dependency: each one the solver resolves is
    work on every API request (issue #9 profile)."""
    runtime: Runtime = request.app.state.runtime
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        lookup = bearer_lookup(runtime, header)
        if lookup is None:
            raise HTTPException(status_code=401, detail="invalid API token")
        return lookup
    if not request.session.get(auth.SESSION_KEY):
        raise HTTPException(status_code=401, detail="not signed in")
    return lambda session, *, placed_on=None: _or_401(
        auth.session_principal(request, session, runtime.clock(), placed_on=placed_on),
        "not signed in",
    )


def bearer_lookup(runtime: Runtime, header: str) -> PrincipalLookup | None:
    """The lookup of an ``Authorization: Bearer …`` header's caller: a personal token's
    (``tap_…``, found or refused with 401 in the caller's session) or the global token's; None
    for any other token (401)."""
    sent = header[7:].strip()
    if tokens.is_personal(sent):
        return lambda session, *, placed_on=None: _or_401(
            tokens.principal_of(session, raw=sent, placed_on=placed_on), "invalid API token"
        )
    token = runtime.settings.web.api_token
    if token is not None and hmac.compare_digest(sent, token.get_secret_value()):
        return _ROOT_TOKEN
    return None


def _invalid_token() -> HTTPException:
    return HTTPException(status_code=401, detail="invalid API token")


_ROOT_TOKEN = auth.RootToken(_invalid_token)


def _or_401(principal: Principal | None, detail: str) -> Principal:
    if principal is None:
        raise HTTPException(status_code=401, detail=detail)
    return principal


def current_principal(
    session: Annotated[Session, Depends(get_session, scope="function")],
    lookup: Annotated[PrincipalLookup, Depends(principal_lookup)],
) -> Principal:
    """Authenticate by session cookie (dashboard) or ``Authorization: Bearer`` (API token)."""
    return lookup(session)


# "function" scope: commit before the response is sent, so a failed commit is a failed request.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
PrincipalDep = Annotated[Principal, Depends(current_principal)]
# For endpoints that run their own unit of work (POST /api/v1/chat): no request session; the
# lookup runs inside the unit, and ``request_slot`` admits the request as SessionDep would.
PrincipalLookupDep = Annotated[PrincipalLookup, Depends(principal_lookup)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


# -- the request kit the routers share (below the session and the principal) ---------------------


def team_of(session: Session, principal: Principal, team_id: int | None) -> Team:
    """The caller's team ``team_id``; when None the workspace's default team, or the caller's
    first team when they are not in it (``team_service.home_team``); another workspace's team
    is simply not found."""
    if team_id is None:
        return team_service.home_team(
            session, workspace_id=principal.workspace.id, member=principal.member
        )
    return team_service.get_team(session, workspace_id=principal.workspace.id, team_id=team_id)


def require_team_person(session: Session, principal: Principal, team: Team) -> None:
    """Refuse (``core.error.not_in_team``, 403) unless the caller is one of ``team``'s people
    or its director (who may sit in a parent team); the workspace owner (a member-less account
    or the global API token) is in every team. The one reader rule of a team's REST routes and
    pages (tester s23 F3, F7, F12: each route once asked it, or forgot to)."""
    member = principal.member
    if member is not None and member.id == team.director_id:
        return
    team_service.require_in_team(session, team=team, member=member, key="core.error.not_in_team")


def requested_team(session: SessionDep, principal: PrincipalDep, team_id: Id | None = None) -> Team:
    """The team a request names as ``team_id``, in its path (``/teams/{team_id}/...``, where
    FastAPI makes it required) or in its query (optional: the caller's home team), which the
    caller must be in (:func:`require_team_person`, 403). Solved before the body is validated,
    so a caller outside the team never learns a route's shape from a 422 (issue 11)."""
    team = team_of(session, principal, team_id)
    require_team_person(session, principal, team)
    return team


def workspace_team(session: SessionDep, principal: PrincipalDep, team_id: Id | None = None) -> Team:
    """:func:`requested_team` without the reader rule: for routes open to the whole workspace
    on purpose (OKR reads, docs/okr.md: alignment needs every team's Os)."""
    return team_of(session, principal, team_id)


async def request_now(request: Request) -> datetime:
    """The runtime's clock, read once per request (tests freeze it); no thread-pool hop."""
    runtime: Runtime = request.app.state.runtime
    return runtime.clock()


TeamDep = Annotated[Team, Depends(requested_team)]
WorkspaceTeamDep = Annotated[Team, Depends(workspace_team)]
NowDep = Annotated[datetime, Depends(request_now)]
