"""A Content-Security-Policy on every page: scripts come from this site only.

The dashboard's scripts are vendored from npm (htmx, Chart.js, Swagger UI) or are its own files
under ``/static/``; its pages carry no inline script and no event-handler attribute (behaviours
are data attributes read by ``/static/page-actions.js``; chart data are JSON blocks, which are
not run). So a text that slips through escaping into a page cannot run as script (CSP Level 3,
https://www.w3.org/TR/CSP3/). Styles may be inline (htmx adds its indicator style, templates
have a few ``style`` attributes); images may be ``data:`` (Swagger UI's icons). The Swagger UI
page's one inline start-up script is allowed by its hash (:func:`with_script_hashes`).
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import re

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"content-security-policy"
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def with_script_hashes(page: HTMLResponse) -> HTMLResponse:
    """``page`` with the policy widened by the SHA-256 of each of its inline scripts (a page we
    do not write, such as FastAPI's Swagger UI, which starts itself with one)."""
    body = bytes(page.body).decode()
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _INLINE_SCRIPT.findall(body)
    )
    page.headers["content-security-policy"] = POLICY.replace(
        "script-src 'self'", f"script-src 'self' {hashes}".rstrip()
    )
    return page


def _lacks_policy(headers: list[tuple[bytes, bytes]]) -> bool:
    """An HTML response's raw headers without a policy of their own."""
    names = {k.lower(): v for k, v in headers}
    return names.get(b"content-type", b"").startswith(b"text/html") and HEADER not in names


def cover_crashes(app: FastAPI) -> None:
    """Give the page of an unhandled error the policy too. Starlette's ServerErrorMiddleware,
    which calls the ``Exception`` handler (``teamassist.http.errors``), stands outside every
    middleware, so :class:`ContentSecurityPolicy` never sees the 500 page (session 25: the
    only page without it). Call after that handler is installed."""
    crash = app.exception_handlers[Exception]

    async def stamped(request: Request, exc: Exception) -> Response:
        response = crash(request, exc)
        page: Response = await response if inspect.isawaitable(response) else response
        if _lacks_policy(page.raw_headers):
            page.headers[HEADER.decode("ascii")] = POLICY
        return page

    app.exception_handlers[Exception] = stamped


class ContentSecurityPolicy:
    """ASGI middleware: an HTML response without a policy of its own gets :data:`POLICY`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if _lacks_policy(headers):
                    message["headers"] = [*headers, (HEADER, POLICY.encode("ascii"))]
            await send(message)

        await self.app(scope, receive, stamped)
