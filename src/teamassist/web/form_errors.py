"""A refused dashboard form lands back on its page, with the reason; REST keeps its JSON.

A *form post* is what a browser sends when someone submits a dashboard form: an unsafe method,
``application/x-www-form-urlencoded`` or ``multipart/form-data``, ``Accept`` naming
``text/html``, a path outside ``/api/``, and not an HTMX request (``htmx-errors.js`` shows those
in place). When one is refused —

- a domain error (``DomainError``: ``Invalid`` 422, ``PermissionDenied`` 403, ``NotFound`` 404,
  ``Conflict`` 409...),
- a field the route's types refuse (``RequestValidationError``: missing, not a number, too long),
- a bare HTTP error below 500 (a multipart body Starlette cannot parse: 400),
- a body over ``web.max_form_bytes`` (413, :class:`FormBodyLimit`),

the answer is a 303 back to the page the form was on (the Referer when it is a page of this
site, else the nearest page above the form's URL, with its ``team`` query) and the catalogue's
text as a one-time *flash* in the signed session cookie; ``base.html`` shows it in the page's
alert line (``data-testid=flash``, with the refused status as ``data-status``). The request's
transaction was rolled back before the handler ran (``http.deps.get_session``), so nothing
changed. Everything else keeps the one error shape of :mod:`teamassist.http.errors`; a refused
CSRF check keeps its 403 page (it says to reload, and a forged post must not be bounced back).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from teamassist.exceptions import DomainError
from teamassist.http import csrf, errors
from teamassist.http.render import PageTemplates
from teamassist.i18n import t
from teamassist.web.lazy_routes import load_all_routes

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FLASH_KEY = "flash"
# A flash rides in the session cookie (4 KB with everything else): a Chinese character is 3
# bytes, base64 makes 4 of 3, so 300 characters stay near 1.6 KB.
MAX_FLASH = 300
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Query parameters that report a success; a page shown after a refusal must not say "saved".
_SUCCESS_FLAGS = frozenset({"saved", "done", "nominated", "day_off"})


def is_form_post(request: Request) -> bool:
    """Whether ``request`` is a browser submitting a dashboard form (module docstring)."""
    return (
        request.method not in csrf.SAFE_METHODS
        and errors.wants_html(request)
        and request.headers.get("content-type", "").startswith(_FORM_TYPES)
        and request.headers.get("hx-request", "").lower() != "true"
    )


def back_url(request: Request) -> str:
    """Where a refused form post goes: a path on this site (never another host).

    The Referer when this site sent it and it names a page (a form answered with a page, such
    as the template preview, leaves the browser on a POST-only URL: the nearest page above it
    is taken); else the nearest page above the form's own URL, keeping its query (``?team=``).
    Success flags (``saved=1``...) are dropped. ``/`` when nothing matches.
    """
    referer = request.headers.get("referer", "")
    if referer and csrf.of_this_site(request, referer):
        parts = urlsplit(referer)
        found = _page_at_or_above(request, parts.path or "/")
        if found is not None:
            return _with_query(found, parts.query)
    found = _page_at_or_above(request, request.url.path)
    return _with_query(found or "/", request.url.query)


def _page_at_or_above(request: Request, path: str) -> str | None:
    """``path`` or the nearest ancestor some route answers on GET; None when none does."""
    segments = [s for s in path.split("/") if s]
    while True:
        candidate = "/" + "/".join(segments)
        if not candidate.startswith("/api/") and _has_page(request, candidate):
            return candidate
        if not segments:
            return None
        segments.pop()


def _has_page(request: Request, path: str) -> bool:
    scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    load_all_routes(request.app)  # a form refused before its routes were built (too large)
    for route in request.app.router.routes:
        match, _child = route.matches(scope)
        if match is Match.FULL:
            return not path.startswith("/static")
    return False


def _with_query(path: str, query: str) -> str:
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in _SUCCESS_FLAGS]
    return f"{path}?{urlencode(kept)}" if kept else path


def flash(request: Request, message: str, status_code: int) -> None:
    """Keep ``message`` for the next page this browser is shown (once)."""
    if "session" in request.scope:
        request.session[FLASH_KEY] = {
            "message": errors.safe_text(message, MAX_FLASH),
            "status": status_code,
        }


def take_flash(request: Request) -> dict[str, Any] | None:
    """The kept message (``{"message", "status"}``), removed from the session; None if none."""
    if "session" not in request.scope:
        return None
    kept = request.session.pop(FLASH_KEY, None)
    return kept if isinstance(kept, dict) and isinstance(kept.get("message"), str) else None


def send_back(request: Request, message: str, status_code: int) -> RedirectResponse:
    """The answer to a refused form post: 303 to :func:`back_url`, ``message`` flashed."""
    flash(request, message, status_code)
    return RedirectResponse(back_url(request), status_code=303)


def validation_message(exc: RequestValidationError) -> str:
    """What was wrong with a refused form, in the catalogue's words: the first refused field,
    by its label (``web.form.field.*``, else its form name)."""
    problems = exc.errors()
    if not problems:
        return t("core.error.invalid_request")
    first = problems[0]
    loc = [str(part) for part in first.get("loc", ()) if not isinstance(part, int)]
    name = loc[-1] if loc else ""
    label = field_label(name)
    kind = str(first.get("type", ""))
    context = first.get("ctx") or {}
    if kind == "missing":
        return t("web.form.missing", field=label)
    if kind == "string_too_long":
        given = first.get("input")
        length = len(given) if isinstance(given, str) else 0
        return t("web.form.too_long", field=label, length=length, limit=context.get("max_length"))
    return t("web.form.bad_value", field=label)


# The dashboard forms' fields with a label in ``web.form.field``.
FIELD_LABELS = (
    "start",
    "text",
    "note",
    "body",
    "level",
    "evidence",
    "outcome",
    "since",
    "effective_date",
    "nominee_id",
    "reason",
    "reviewee_id",
    "reviewer_id",
    "phase",
    "direction",
    "strengths",
    "notes",
    "goal_title",
    "goal_evidence",
    "goal_date",
    "goal_status",
    "name",
    "display_name",
    "handle",
    "member_id",
    "team",
    "owner",
)


def field_label(name: str) -> str:
    """A form field's name as people read it (:data:`FIELD_LABELS`), else the name."""
    if name in FIELD_LABELS:
        return t(f"web.form.field.{name}")
    return errors.safe_text(name, 40)


def install(app: FastAPI) -> None:
    """Answer refused form posts as above; everything else as :mod:`teamassist.http.errors`
    does. Call after ``errors.install`` (these handlers replace its three) and after
    ``app.state.templates`` is set (the pages' ``take_flash()``)."""

    async def domain_error(request: Request, exc: DomainError) -> Response:
        if is_form_post(request) and exc.key != "core.error.csrf":
            return send_back(request, exc.message(), exc.status_code)
        return await errors.domain_error(request, exc)

    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if is_form_post(request):
            return send_back(request, validation_message(exc), 422)
        return await errors.invalid_request(request, exc)

    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # 401 from a page means no session: the sign-in redirect comes from the page itself.
        if is_form_post(request) and exc.status_code not in (401, 405) and exc.status_code < 500:
            detail = exc.detail if isinstance(exc.detail, str) else ""
            text = t(errors.http_error_key(exc.status_code), status=exc.status_code)
            return send_back(request, f"{text} {detail}".strip(), exc.status_code)
        return await errors.http_error(request, exc)

    app.add_exception_handler(DomainError, domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    templates: PageTemplates = app.state.templates
    templates.context_global("take_flash", lambda ctx: take_flash(ctx["request"]))


class FormBodyLimit:
    """Refuse a dashboard form body over ``limit`` bytes (413) before anything reads it.

    Outside ``/api/`` (REST keeps its own uploads) and for form content types only. A browser's
    form post goes back to its page with the reason (:func:`send_back`); anyone else gets the
    JSON shape. The body is counted as it arrives (a missing or false Content-Length changes
    nothing) and replayed to the app when it fits. Sits inside the session middleware: the
    flash needs the session.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)

    def _applies(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] in csrf.SAFE_METHODS:
            return False
        if str(scope["path"]).startswith("/api/"):
            return False
        for name, value in scope.get("headers", ()):
            if name == b"content-type":
                return bytes(value).decode("latin-1").lower().startswith(_FORM_TYPES)
        return False

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        key = "web.form.too_large"
        message = t(key, limit=_megabytes(self.limit))
        response: Response
        if is_form_post(request):
            response = send_back(request, message, 413)
        else:
            response = JSONResponse(status_code=413, content={"error": key, "message": message})
        # The client is still sending: say so, and let the server drop the connection.
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.3g}"
