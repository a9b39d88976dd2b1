"""A lean fake Feishu for load benchmarks: the tenant token and message create/reply only.

``FakeFeishu`` (feishu.py) is a FastAPI app that keeps every request's headers and body and
fails on demand: right for tests, but under load its own routing, validation and bookkeeping
cost more CPU than the workers' sends it stands for (``benchmarks.scaleout_delivery``, session
11: 25 % of the delivery threads' samples waited for it, on the same 2 cores). A remote
platform's CPU is not ours to count, so the benchmark uses this one: a bare ASGI app that still
speaks the protocol the sender uses — the tenant token is issued for the right app secret and
checked on every message call (``Authorization: Bearer t-fake-…``), a ``uuid`` seen before
answers the first message id again (Feishu dedupes an hour), every new message is recorded
(receive id, uuid, content) — and nothing else.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from tests.platforms.fakes.feishu import APP_SECRET
from tests.platforms.fakes.serving import RunningServer, serve

TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
MESSAGES_PATH = "/open-apis/im/v1/messages"
COUNT_PATH = "/_bench/sent"  # not Feishu's: how many messages arrived, for the benchmark

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Message:
    """One message the fake took (repeats of a ``uuid`` are not recorded again)."""

    receive_id: str
    uuid: str
    content: str


class LeanFeishu:
    """The ASGI app (see the module docstring); one event loop, so no locks are needed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.tokens: set[str] = set()
        self._by_uuid: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._token_numbers = itertools.count(1)
        self.running: RunningServer | None = None

    def start(self) -> LeanFeishu:
        self.running = serve(self)
        return self

    @property
    def url(self) -> str:
        assert self.running is not None
        return self.running.url

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if not event.get("more_body"):
                break
        status, answer = self._answer(scope, body)
        payload = json.dumps(answer).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def _answer(self, scope: Scope, body: bytes) -> tuple[int, dict[str, Any]]:
        path: str = scope["path"]
        if scope["method"] == "GET" and path == COUNT_PATH:
            return 200, {"sent": len(self.messages)}
        if scope["method"] != "POST":
            return 404, {"code": 404, "msg": "not found"}
        if path == TOKEN_PATH:
            if json.loads(body or b"{}").get("app_secret") != APP_SECRET:
                return 400, {"code": 10014, "msg": "app secret invalid"}
            token = f"t-fake-{next(self._token_numbers)}"
            self.tokens.add(token)
            return 200, {"code": 0, "msg": "ok", "tenant_access_token": token, "expire": 7200}
        if path == MESSAGES_PATH or (path.startswith(MESSAGES_PATH) and path.endswith("/reply")):
            return self._message(scope, body)
        return 404, {"code": 404, "msg": "not found"}

    def _message(self, scope: Scope, body: bytes) -> tuple[int, dict[str, Any]]:
        headers = dict(scope["headers"])
        token = headers.get(b"authorization", b"").decode().removeprefix("Bearer ")
        if token not in self.tokens:
            return 400, {"code": 99991663, "msg": "Invalid access token for authorization"}
        fields = json.loads(body)
        uuid = str(fields.get("uuid") or "")
        message_id = self._by_uuid.get(uuid) if uuid else None
        if message_id is None:
            message_id = f"om_lean_{next(self._ids)}"
            if uuid:
                self._by_uuid[uuid] = message_id
            self.messages.append(
                Message(str(fields.get("receive_id", "")), uuid, str(fields.get("content", "")))
            )
        return 200, {"code": 0, "msg": "success", "data": {"message_id": message_id}}
