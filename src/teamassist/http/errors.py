"""Turn errors into one shape, and shared permission checks for endpoints.

Every REST error body is ``{"error": key, "message": text}``: domain errors, HTTPException
(401 from the auth dependency, 404/405 from Starlette's router) alike. A browser asking a dashboard
URL (not ``/api/``, ``Accept: text/html``) gets an HTML page with the same message instead; a
browser's refused form post goes back to its page with it (the web shell's
``teamassist.web.form_errors`` wraps the first three handlers here).
A refused request body adds ``details`` (where and why), never the input itself: inputs can be
100k characters long or hold text that is not valid Unicode, and echoing them is how the default
handler failed with a 500.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import DataError as DBAPIDataError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from teamassist.bidi import isolate
from teamassist.chat.types import plain_text
from teamassist.database import is_retryable
from teamassist.enums import Role
from teamassist.exceptions import DomainError, PermissionDenied
from teamassist.http.auth import Principal, is_admin, roles_of
from teamassist.i18n import lookup, t
from teamassist.team.models import Team
from teamassist.validation_words import should_be

log = logging.getLogger(__name__)

MAX_MESSAGE = 1000  # characters of an error message (domain messages may quote user input)
MAX_DETAILS = 20
MAX_LOC_PART = 60
# A \\uD800-\\uDFFF escape in a JSON text: only then can it hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF][0-9a-fA-F]{2}")
# A NUL escape: PostgreSQL text cannot hold U+0000, and no user means to send one.
_NUL_ESCAPE = re.compile(rb"\\u0000")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class AdminRequired(PermissionDenied):
    """403 from :func:`require_admin`. The key stays ``core.error.forbidden`` (clients match on
    it, and chat says the same); the text names what is missing, Chinese first with English:
    with ``team``, that this team's admin is needed (the caller administers another one)."""

    def __init__(self, team: str | None = None) -> None:
        super().__init__("core.error.forbidden")
        self.team = team

    def message(self) -> str:
        """The dashboard's and API's wording (``signin.http.forbidden``, or
        ``signin.http.forbidden_team`` naming the team)."""
        if self.team is not None:
            return t("signin.http.forbidden_team", team=self.team)
        return t("signin.http.forbidden")


def require_admin(session: Session, principal: Principal, team: Team) -> None:
    """Refuse (AdminRequired, 403) unless the caller is an admin of ``team``. An admin of
    another team is told whose admin it takes (tester s25 F-1: 第二团队's admin asking for the
    workspace's bindings, or adding a channel to 开发者社区, read "only an admin can do this")."""
    if not is_admin(session, principal, team):
        elsewhere = Role.ADMIN in roles_of(session, principal.member).values()
        raise AdminRequired(team.name if elsewhere else None)


def safe_text(value: object, limit: int) -> str:
    """``value`` as valid Unicode (lone surrogates replaced), at most ``limit`` characters."""
    text = str(value).encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Where and why a request was refused, without the input."""
    details: list[dict[str, Any]] = []
    for error in exc.errors()[:MAX_DETAILS]:
        loc = [
            part if isinstance(part, int) else safe_text(part, MAX_LOC_PART)
            for part in error.get("loc", ())
        ][:10]
        kind = str(error.get("type", ""))
        if kind == "extra_forbidden" and loc:
            # pydantic's "Extra inputs are not permitted" does not say it was a typo'd key
            msg = t("core.error.unknown_field", field=loc[-1])
        else:  # pydantic's English ("Field required") said Chinese first
            msg = should_be(kind, error.get("ctx"), str(error.get("msg", "")))
        details.append(
            {
                "loc": loc,
                "msg": safe_text(msg, 200),
                "type": safe_text(error.get("type", ""), 60),
            }
        )
    return details


def wants_html(request: Request) -> bool:
    """A browser on a dashboard URL: anything outside ``/api/`` that accepts HTML, or a page
    (a route answering HTML) fetched without saying what it accepts (``curl``, a link
    checker), unless it asks for JSON or is an HTMX swap: its refusal is the error page, not
    the JSON a script gets (tester s23 F12 saw a 403 page's body as raw JSON)."""
    if request.url.path.startswith("/api/"):
        return False
    accept = request.headers.get("accept", "")
    if "text/html" in accept:
        return True
    route = request.scope.get("route")
    return (
        request.method == "GET"
        and "json" not in accept
        and request.headers.get("hx-request", "").lower() != "true"
        and getattr(route, "response_class", None) is HTMLResponse
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


# Errors whose chat wording sends the user to a chat command; each has a ``<key>_rest``
# wording naming the endpoint or field instead.
REST_WORDING = frozenset(
    {
        "actions.error.not_found",
        "actions.error.no_title",
        "qualifications.error.unknown_level",
        "people.error.deactivate_past",
        "people.error.already_leaving",
    }
)


async def domain_error(request: Request, exc: DomainError) -> Response:
    """A rule said no: the catalogue's text with the error's status code. A REST caller gets
    the key's ``<key>_rest`` wording when the catalogue has one: a reply that sends a chat user
    to a command ("请用 /我的销项 查看编号") names the endpoint or field instead (session 14);
    the ``error`` key stays the same."""
    shown = exc
    if exc.key in REST_WORDING and request.url.path.startswith("/api/"):
        shown = DomainError(f"{exc.key}_rest", **exc.params)
    # a JSON string or an escaped page: the user-text marks of chat replies have no place
    message = safe_text(plain_text(shown.message()), MAX_MESSAGE)
    return error_response(request, exc.status_code, exc.key, message)


async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
    """A body, query or path the route's types refuse: 422 with ``details`` (JSON only); a
    body that does not parse, from a caller the route would refuse, 401 first
    (:func:`_caller_refused`)."""
    if any(error.get("type") == "json_invalid" for error in exc.errors()):
        refused = await _caller_refused(request)
        if refused is not None:
            return refused
    message = t("core.error.invalid_request")
    if wants_html(request):
        return error_response(request, 422, "core.error.invalid_request", message)
    return JSONResponse(
        status_code=422,
        content={
            "error": "core.error.invalid_request",
            "message": message,
            "details": validation_details(exc),
        },
    )


async def _caller_refused(request: Request) -> Response | None:
    """The 401 of a request whose body does not parse (422 ``json_invalid``, 400 unreadable),
    when its route needs a caller and the request's token or session is not one; None
    otherwise. FastAPI parses the body before it solves the dependencies, so ``{"text": ``
    with a wrong token answered 422 where every body that parses gets its 401 first (session
    27's note). Only on these refusals' path: the caller is looked up as the route would."""
    if not _needs_caller(request.scope.get("route")):
        return None
    from teamassist.http.deps import principal_lookup  # the kit's dependencies sit above
    from teamassist.http.worker_threads import in_thread

    try:
        lookup = await principal_lookup(request)
        await in_thread(_look_up, request.app.state.runtime, lookup)
    except StarletteHTTPException as refusal:
        return await http_error(request, refusal)
    return None


def _look_up(runtime: Any, lookup: Callable[[Session], object]) -> None:
    with runtime.factory() as session:
        lookup(session)


def _needs_caller(route: object) -> bool:
    """Whether ``route`` (an APIRoute) looks its caller up (``http.deps.principal_lookup`` in
    its dependencies); kept on the route."""
    from fastapi.routing import APIRoute

    from teamassist.http.deps import principal_lookup

    if not isinstance(route, APIRoute):
        return False
    found: bool | None = getattr(route, "_teamassist_needs_caller", None)
    if found is None:
        todo, found = [route.dependant], False
        while todo and not found:
            node = todo.pop()
            found = node.call is principal_lookup
            todo.extend(node.dependencies)
        route._teamassist_needs_caller = found  # type: ignore[attr-defined]
    return found


# FastAPI's detail for a body its JSON reader gave up on other than as a syntax error (which
# is a 422): not UTF-8, nested past Python's recursion limit, an integer of more than 4,300
# digits (``fastapi.routing.get_request_handler``).
_UNREADABLE_BODY = "There was an error parsing the body"


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """A bare HTTP error (401 from auth, 404/405 from the router) in the one shape."""
    if exc.status_code == 400 and exc.detail == _UNREADABLE_BODY:
        refused = await _caller_refused(request)
        if refused is not None:
            return refused
        # its English words say nothing a user can act on (tester s28 D-10)
        unreadable = "core.error.unreadable_body"
        return error_response(request, 400, unreadable, t(unreadable))
    key = http_error_key(exc.status_code)
    # 401 and 403 say how to get in, in both languages (``signin.http.*``); the key stays.
    bilingual = f"signin.http.{exc.status_code}"
    catalogued = t(bilingual if lookup(bilingual) else key, status=exc.status_code)
    # A specific detail (e.g. "unknown status 'x'") says more than the catalogue's generic
    # line; Starlette's own default details (the status phrase) say less.
    detail = isolate(exc.detail) if isinstance(exc.detail, str) else ""
    generic = detail in ("", _phrase(exc.status_code))
    message = catalogued if generic else f"{catalogued} {detail}"
    return error_response(request, exc.status_code, key, message, headers=exc.headers)


def install(app: FastAPI) -> None:
    """Register the handlers that render every error in the one shape. (The web shell wraps
    the first three for browser form posts: ``teamassist.web.form_errors``.)"""
    app.add_exception_handler(DomainError, domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]

    @app.exception_handler(OverflowError)
    @app.exception_handler(DBAPIDataError)
    async def _unstorable(request: Request, exc: Exception) -> Response:
        # The last net under the routes' own bounds: a number or text the database cannot store
        # (an id above 2^63 on SQLite, a value out of PostgreSQL's range) is the caller's input.
        log.warning("refused a value the database cannot store: %s", type(exc).__name__)
        key = "core.error.out_of_range"
        return error_response(request, 422, key, t(key))

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _unavailable(request: Request, exc: Exception) -> Response:
        if is_retryable(exc):
            raise exc  # a lost lock race: RetryLostLockRaces (outside) runs the request again
        rid = str(getattr(request.state, "request_id", ""))
        return _database_unavailable(request, exc, uuid.uuid4().hex[:8], rid)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        # Starlette logs nothing useful for the caller; answer in the one shape with an id that
        # is also in the log, as chat replies do.
        error_id = uuid.uuid4().hex[:8]
        rid = str(getattr(request.state, "request_id", ""))
        if isinstance(exc, (OperationalError, PoolTimeout)):  # lock races retried in vain
            return _database_unavailable(request, exc, error_id, rid)
        log.error(
            "unhandled error %s on %s %s",
            error_id,
            request.method,
            request.url.path,
            exc_info=exc,
            extra={"error_id": error_id, "request_id": rid},
        )
        key = "core.error.internal"
        headers = {"X-Request-ID": rid} if rid else None
        return error_response(request, 500, key, t(key, error_id=error_id), headers=headers)

    app.add_middleware(JsonBodyGuard)


# A client told "the database is not answering" may try again after this many seconds.
RETRY_AFTER_SECONDS = 5


def _database_unavailable(request: Request, exc: Exception, error_id: str, rid: str) -> Response:
    """503 for a database that did not answer: refused or timed-out connect, a statement over
    ``database.statement_timeout_seconds``, no pooled connection free in time, SQLite busy.

    A lost lock race (``database.is_retryable``) is passed on to ``RetryLostLockRaces`` first
    and lands here only when its retries ran out. Not a bug, so no traceback: one warning with
    the kind of failure (the driver's text can name the host) and the error id the reply shows.
    """
    log.warning(
        "database unavailable %s on %s %s: %s",
        error_id,
        request.method,
        request.url.path,
        type(getattr(exc, "orig", None) or exc).__name__,
        extra={"error_id": error_id, "request_id": rid},
    )
    key = "core.error.database_unavailable"
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if rid:
        headers["X-Request-ID"] = rid
    return error_response(request, 503, key, t(key, error_id=error_id), headers=headers)


def _phrase(status_code: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return ""


class JsonBodyGuard:
    """Refuse a JSON body holding a lone surrogate (``"\\ud800"``) with 400, before any route.

    ``json.loads`` accepts it, and the string then breaks whatever encodes it next (the
    database, a log line, the answer). One check here covers every endpoint and webhook.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and b"%00" in scope.get("query_string", b""):
            # A NUL in a query parameter reaches a database that cannot hold it (PostgreSQL).
            # A browser gets the error page (the shell, its policy), as for any other bad page
            # query; a script the JSON shape (tester s26 B-14: /actions?owner=%00 answered JSON)
            key = "core.error.nul_query"
            response = error_response(Request(scope), 400, key, t(key))
            await response(scope, receive, send)
            return
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        refusal = (
            "core.error.bad_unicode"
            if _has_lone_surrogate(body)
            else "core.error.nul_text"
            if _NUL_ESCAPE.search(body)
            else None
        )
        if refusal is not None:
            response = JSONResponse(
                status_code=400, content={"error": refusal, "message": t(refusal)}
            )
            await response(scope, receive, send)
            return
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return b"json" in value.lower()
    return False


def _has_lone_surrogate(body: bytes) -> bool:
    if not _SURROGATE_ESCAPE.search(body):
        return False
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return False  # not JSON at all: the route's own parsing refuses it
    try:
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
