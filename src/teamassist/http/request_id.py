"""Give every HTTP request an id: the caller's ``X-Request-ID`` when it is a plain token (a proxy
or load balancer set it), else a fresh one. The id is in every log line written while the
request is served (:data:`teamassist.logs.request_id`) and echoed in the response header, so a
proxy's log, ours and the client's report meet on one value."""

from __future__ import annotations

import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from teamassist.logs import request_id

HEADER = b"x-request-id"
# What we accept from outside: a log line must not be forged or made huge through the header.
_PLAIN = re.compile(rb"[A-Za-z0-9._:-]{1,64}")


def incoming(scope: Scope) -> str:
    """The caller's request id when it is a plain token of at most 64 characters, else a new
    32-hex-digit one."""
    for name, value in scope.get("headers", ()):
        if name == HEADER and _PLAIN.fullmatch(value):
            return str(value.decode("ascii"))
    return uuid.uuid4().hex


class RequestId:
    """ASGI middleware: set the request id for the request's duration and answer with it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = incoming(scope)
        token = request_id.set(rid)
        # Also on the request's state: the 500 handler runs outside this middleware (Starlette's
        # ServerErrorMiddleware), after the context variable is reset.
        scope.setdefault("state", {})["request_id"] = rid

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ()) if k != HEADER]
                message["headers"] = [*headers, (HEADER, rid.encode("ascii"))]
            await send(message)

        try:
            await self.app(scope, receive, stamped)
        finally:
            request_id.reset(token)
