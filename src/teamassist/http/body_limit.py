"""One cap on every request body, before any layer buffers it.

The retry layer (:class:`teamassist.http.retry.RetryLostLockRaces`) reads a whole body to
replay it, ahead of routing and of any token or size check: without a cap here one anonymous
1.2 GB POST took the server to 5 GB (tester s28 D-5). Two limits, by what the body is:

- ``web.max_body_bytes`` (1 MiB): JSON, webhook events, anything that is not a form. The
  largest legitimate ones are far below it (a chat message is at most 8,000 characters, a
  report template 100,000; QQ's webhook refuses above 1,000,000 bytes itself).
- ``web.max_upload_bytes`` (6 MiB): a form or a file upload (``multipart/form-data``,
  ``application/x-www-form-urlencoded``): the OKR sheet import takes 5 MiB
  (``okr.sheet_import.MAX_BYTES``) plus the multipart framing. A dashboard form is cut lower
  inside, at ``web.max_form_bytes``, where its page can be shown the reason
  (:class:`teamassist.web.form_errors.FormBodyLimit`).

A ``Content-Length`` over the limit is refused before a byte is read; a body without one
(chunked) or with a false one is counted as it arrives. The refusal is a 413 in the JSON
shape of every other API error (the error page for a browser), with ``Connection: close``
(the client is still sending).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from teamassist.http.errors import error_response
from teamassist.i18n import t

UPLOAD_TYPES = (b"multipart/form-data", b"application/x-www-form-urlencoded")
ERROR_KEY = "core.http.body_too_large"


class BodyTooLarge(Exception):
    """A request body grew past its limit while a layer was reading it."""


class BodyLimit:
    """ASGI middleware: refuse (413) a request whose body is over its limit, in bytes
    (``body_bytes`` for anything but a form or upload, ``upload_bytes`` for those)."""

    def __init__(self, app: ASGIApp, *, body_bytes: int, upload_bytes: int) -> None:
        self.app = app
        self.body_bytes = body_bytes
        self.upload_bytes = upload_bytes

    def limit_of(self, scope: Scope) -> int:
        """The limit of ``scope``'s body, in bytes, from its Content-Type."""
        for name, value in scope.get("headers", ()):
            if name == b"content-type":
                return (
                    self.upload_bytes
                    if bytes(value).lower().lstrip().startswith(UPLOAD_TYPES)
                    else self.body_bytes
                )
        return self.body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, receive, send, limit)
            return
        size = 0
        started = False

        async def counted() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > limit:
                    raise BodyTooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if started:  # cannot happen while the retry layer reads first; never a 2nd start
                raise
            await _refuse(scope, receive, send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = bytes(value).strip()
            return int(text) if text.isdigit() else None
    return None


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    message = t(ERROR_KEY, limit=f"{limit / 1_048_576:.3g}")
    response = error_response(Request(scope, receive), 413, ERROR_KEY, message)
    response.headers["Connection"] = "close"
    await response(scope, receive, send)
