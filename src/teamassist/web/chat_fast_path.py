"""``POST /api/v1/chat`` from a script (``Authorization: Bearer``) served below the layers that do
nothing for it: the session and form-limit middlewares, Starlette's routing and FastAPI's
dependency solving (two thirds of the event loop's share of a chat command on PostgreSQL,
session 26 profile).

:class:`ChatFastPath` sits inside the request id, JSON guard and lock-race retry middlewares
and outside the session middleware. It takes a request only when the ordinary path would
answer it from the same four things — the chat endpoint's path and method (no query string),
a bearer token the app knows, no cookie, and a JSON body that
:class:`teamassist.chat.api.ChatRequest` accepts — and then does what the route does: the
pool's turn, the same ``answer_json`` in a worker thread, the same ``Response``; an error
raised there goes through the app's own exception handlers (Starlette's
``ExceptionMiddleware``, as inside the routing), a lost lock race up to the retry middleware, a
crash to the 500 handler. Anything else (no or an unknown token, a cookie — the dashboard's,
which needs its session and CSRF check —, a body the model refuses, another content type,
dependency overrides in tests) is passed on, body and all, to the ordinary path, which answers
it as before (401 before 422 for a body that parses; JSON that does not parse is 422 first, as
FastAPI reads the body before it solves the dependencies).

The route stays in the app (the OpenAPI entry, and every request the fast path passes on);
``tests/web/test_chat_fast_path.py`` sends one table of requests to an app with and without
this layer and compares status, headers and body.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from teamassist.chat import api as chat_api
from teamassist.chat.api import ChatRequest
from teamassist.http.auth import PrincipalLookup
from teamassist.http.deps import app_slot, bearer_lookup
from teamassist.http.retry import read_body
from teamassist.http.worker_threads import in_thread

PATH = "/api/v1/chat"  # the route chat_api.chat is served at (the core's API prefix)
_JSON = frozenset({b"application/json", b"application/json; charset=utf-8"})


class ChatFastPath:
    """ASGI middleware: serve a script's chat request directly (module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._handled: ExceptionMiddleware | None = None
        self.served = 0  # requests answered here (tests read it)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lookup = _caller(scope) if _is_chat(scope) else None
        if lookup is None:
            await self.app(scope, receive, send)
            return
        messages = await read_body(receive)
        body = _parsed(messages)
        if body is None:  # refused by the model, or not all there: the ordinary path says why
            await self.app(scope, _replay(messages, receive), send)
            return
        self.served += 1
        scope["teamassist.chat"] = (lookup, body)
        await self._errors(scope["app"])(scope, receive, send)

    def _errors(self, app: FastAPI) -> ExceptionMiddleware:
        """The answer inside the app's exception handlers, as FastAPI's build of its
        middleware stack hands them to ``ExceptionMiddleware`` (the 500 handler apart)."""
        if self._handled is None:
            handlers = {
                k: v for k, v in app.exception_handlers.items() if k not in (500, Exception)
            }
            self._handled = ExceptionMiddleware(_answer, handlers=handlers)
        return self._handled


def _is_chat(scope: Scope) -> bool:
    # a query string (the route takes none) goes to the route with its rules for queries
    if scope["type"] != "http" or scope["method"] != "POST" or scope.get("query_string"):
        return False
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path == PATH or (bool(root) and path == root + PATH)


def _caller(scope: Scope) -> PrincipalLookup | None:
    """The bearer token's lookup when the request is the fast path's (module docstring)."""
    app: FastAPI = scope["app"]
    if app.dependency_overrides:
        return None
    authorization = content_type = None
    for name, value in scope["headers"]:
        if name == b"cookie":
            return None
        if name == b"authorization" and authorization is None:
            authorization = value
        elif name == b"content-type" and content_type is None:
            content_type = value
    if authorization is None or content_type is None or content_type.lower() not in _JSON:
        return None
    header = authorization.decode("latin-1")
    if not header.isascii() or not header.lower().startswith("bearer "):
        return None
    return bearer_lookup(app.state.runtime, header)


def _parsed(messages: list[Message]) -> ChatRequest | None:
    if messages[-1]["type"] != "http.request":
        return None  # the client left while sending
    try:
        return ChatRequest.model_validate_json(b"".join(m.get("body", b"") for m in messages))
    except ValidationError:
        return None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = iter(messages)

    async def replayed() -> Message:
        return next(pending, None) or await receive()

    return replayed


async def _answer(scope: Scope, receive: Receive, send: Send) -> None:
    """What ``teamassist.chat.api.chat`` does for a request already read and checked."""
    app: FastAPI = scope["app"]
    lookup, body = scope["teamassist.chat"]
    async with app_slot(app):
        answer = await in_thread(chat_api.answer_json, app.state.runtime, lookup, body)
    response = Response(content=answer, media_type="application/json")
    await response(scope, receive, send)
