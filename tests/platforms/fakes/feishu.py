"""A fake Feishu Open API (tenant token, message create/reply, ws endpoint) and inbound events
built, encrypted and signed the way Feishu builds them."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import os
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from tests.platforms.fakes.feishu_workspace import FakeWorkspace
from tests.platforms.fakes.serving import RunningServer, serve

APP_SECRET = "fake-app-secret"
ENCRYPT_KEY = "fake-encrypt-key"
VERIFICATION_TOKEN = "fake-verification-token"
TENANT_KEY = "tenant-fake"


@dataclass
class Call:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def content(self) -> dict[str, Any]:
        """The message content (a card) decoded from the body."""
        content: dict[str, Any] = json.loads(self.body["content"])
        return content


@dataclass
class Failure:
    """What the next API call answers instead of success."""

    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeChat:
    """A group chat the bot is in: its name, owner, managers and members (open_id, name)."""

    name: str
    owner_id: str = ""
    managers: list[str] = field(default_factory=list)
    members: list[tuple[str, str]] = field(default_factory=list)
    tenant: str = TENANT_KEY


class FakeFeishu:
    """Speaks enough of open.feishu.cn for the sender; fails on demand."""

    def __init__(self) -> None:
        self.app = FastAPI()
        self.lock = threading.Lock()
        self.reset()
        self._routes()
        self.workspace = FakeWorkspace(self)  # tasks, calendar (feishu_workspace.py)
        self.running: RunningServer | None = None

    def reset(self) -> None:
        self.calls: list[Call] = []
        self.token_requests: list[dict[str, Any]] = []
        self.failures: list[Failure] = []
        self.down = False
        self.delay = 0.0  # seconds each message call takes (a slow platform)
        self.token_ttl = 7200
        self.users: dict[str, str] = {}  # open_id -> name, for contact.v3.user.get
        self.user_lookups: list[str] = []
        self.user_departments: dict[str, list[str]] = {}  # open_id -> open_department_ids
        self.departments: dict[str, str] = {}  # open_department_id -> name
        self.chats: dict[str, FakeChat] = {}  # chat_id -> the chat, for im.v1.chat.*
        self.member_pages: list[tuple[str, str]] = []  # (chat_id, page_token) asked for
        self.ws_url = ""  # the long-connection endpoint handed out by /callback/ws/endpoint
        self.ws_endpoint_requests: list[dict[str, Any]] = []
        self.revoked: set[str] = set()
        # Groups the bot is not in (a message there answers 230002), and of those the public
        # ones it may join by me_join, and the public ones that verify joins (232075); any
        # other group is private (232008), as Feishu answers.
        self.bot_outside: set[str] = set()
        self.public_chats: set[str] = set()
        self.verified_chats: set[str] = set()
        self.joins: list[str] = []  # chat ids of me_join calls
        self._ids = itertools.count(1)
        self._tokens = itertools.count(1)
        self._by_uuid: dict[str, str] = {}
        if hasattr(self, "workspace"):
            self.workspace.reset()

    # -- control ---------------------------------------------------------------------------------

    def fail_next(self, status: int, body: dict[str, Any] | str, **headers: str) -> None:
        """Answer the next message call with ``status``/``body``."""
        self.failures.append(Failure(status, body, headers))

    @property
    def url(self) -> str:
        assert self.running is not None
        return self.running.url

    def start(self) -> FakeFeishu:
        self.running = serve(self.app)
        return self

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()

    def messages(self) -> list[Call]:
        """Message create/reply calls that succeeded."""
        return [c for c in self.calls if c.path.startswith("/open-apis/im/v1/messages")]

    # -- the API ---------------------------------------------------------------------------------

    def _routes(self) -> None:
        app = self.app

        @app.post("/open-apis/auth/v3/tenant_access_token/internal")
        async def tenant_token(request: Request) -> Response:
            body = await request.json()
            with self.lock:
                self.token_requests.append(body)
                if self.down:
                    return PlainTextResponse("bad gateway", status_code=502)
                if body.get("app_secret") != APP_SECRET:
                    return JSONResponse({"code": 10014, "msg": "app secret invalid"}, 400)
                token = f"t-fake-{next(self._tokens)}"
            return JSONResponse(
                {"code": 0, "msg": "ok", "tenant_access_token": token, "expire": self.token_ttl}
            )

        @app.get("/open-apis/contact/v3/users/{user_id}")
        async def get_user(user_id: str) -> Response:
            self.user_lookups.append(user_id)
            if user_id not in self.users:
                return JSONResponse({"code": 41050, "msg": "no user authority error"}, 400)
            user = {
                "open_id": user_id,
                "name": self.users[user_id],
                "department_ids": self.user_departments.get(user_id, []),
            }
            return JSONResponse({"code": 0, "msg": "success", "data": {"user": user}})

        @app.get("/open-apis/contact/v3/departments/{department_id}")
        async def get_department(department_id: str) -> Response:
            if department_id not in self.departments:
                return JSONResponse({"code": 40004, "msg": "no dept authority error"}, 400)
            department = {
                "open_department_id": department_id,
                "name": self.departments[department_id],
            }
            return JSONResponse({"code": 0, "msg": "success", "data": {"department": department}})

        @app.get("/open-apis/im/v1/chats")
        async def list_chats() -> Response:
            items = [
                {"chat_id": cid, "name": c.name, "owner_id": c.owner_id, "tenant_key": c.tenant}
                for cid, c in self.chats.items()
            ]
            return JSONResponse(
                {"code": 0, "msg": "success", "data": {"items": items, "has_more": False}}
            )

        @app.get("/open-apis/im/v1/chats/{chat_id}")
        async def get_chat(chat_id: str) -> Response:
            chat = self.chats.get(chat_id)
            if chat is None:
                return JSONResponse({"code": 232011, "msg": "operator not in chat"}, 400)
            data = {
                "name": chat.name,
                "owner_id": chat.owner_id,
                "owner_id_type": "open_id",
                "user_manager_id_list": chat.managers,
                "tenant_key": chat.tenant,
            }
            return JSONResponse({"code": 0, "msg": "success", "data": data})

        @app.get("/open-apis/im/v1/chats/{chat_id}/members")
        async def chat_members(request: Request, chat_id: str) -> Response:
            chat = self.chats.get(chat_id)
            if chat is None:
                return JSONResponse({"code": 232011, "msg": "operator not in chat"}, 400)
            token = request.query_params.get("page_token", "")
            self.member_pages.append((chat_id, token))
            # Feishu filters bots out of a page after cutting it: a page holds fewer than
            # page_size while more follow (callers must loop on has_more, never on counts).
            size = max(1, int(request.query_params.get("page_size") or 20) - 1)
            start = int(token or 0)
            items = [
                {"member_id_type": "open_id", "member_id": o, "name": n, "tenant_key": chat.tenant}
                for o, n in chat.members[start : start + size]
            ]
            more = start + size < len(chat.members)
            data = {
                "items": items,
                "has_more": more,
                "page_token": str(start + size) if more else "",
            }
            return JSONResponse({"code": 0, "msg": "success", "data": data})

        @app.post("/callback/ws/endpoint")
        async def ws_endpoint(request: Request) -> Response:
            body = await request.json()
            self.ws_endpoint_requests.append(body)
            if body.get("AppSecret") != APP_SECRET:
                return JSONResponse({"code": 1000040351, "msg": "invalid app secret"})
            return JSONResponse(
                {
                    "code": 0,
                    "msg": "ok",
                    "data": {
                        "URL": self.ws_url,
                        "ClientConfig": {
                            "ReconnectCount": 1,
                            "ReconnectInterval": 1,
                            "ReconnectNonce": 0,
                            "PingInterval": 60,
                        },
                    },
                }
            )

        @app.patch("/open-apis/im/v1/chats/{chat_id}/members/me_join")
        async def me_join(request: Request, chat_id: str) -> Response:
            with self.lock:
                self.joins.append(chat_id)
                for part, scopes in self.workspace.denied.items():  # scopes come first
                    if part in request.url.path:
                        msg = "Access denied. One of the following scopes is required: "
                        msg += f"[{', '.join(scopes)}]."
                        return JSONResponse({"code": 99991672, "msg": msg}, 400)
                known = self.chats.keys() | self.bot_outside | self.public_chats
                if chat_id not in known | self.verified_chats:
                    msg = "Your request specifies a chat_id which is invalid."
                    return JSONResponse({"code": 232006, "msg": msg}, 400)
                if chat_id in self.public_chats:
                    self.bot_outside.discard(chat_id)
                    return JSONResponse({"code": 0, "msg": "ok", "data": {}})
                if chat_id in self.verified_chats:
                    msg = "The public group needs to apply to join, and users or bots are not "
                    msg += "allowed to actively join the group."
                    return JSONResponse({"code": 232075, "msg": msg}, 400)
            msg = "Your request specifies a chat whose type is NOT supported currently."
            return JSONResponse({"code": 232008, "msg": msg}, 400)

        @app.post("/open-apis/im/v1/messages")
        async def create(request: Request) -> Response:
            return await self._message(request)

        @app.post("/open-apis/im/v1/messages/{message_id}/reply")
        async def reply(request: Request, message_id: str) -> Response:
            return await self._message(request)

    async def _message(self, request: Request) -> Response:
        body = await request.json()
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.down:
                return PlainTextResponse("service unavailable", status_code=503)
            if self.failures:
                failure = self.failures.pop(0)
                if isinstance(failure.body, str):
                    return PlainTextResponse(failure.body, failure.status, failure.headers)
                return JSONResponse(failure.body, failure.status, failure.headers)
            auth = request.headers.get("authorization", "")
            token = auth.removeprefix("Bearer ")
            if not token.startswith("t-fake-") or token in self.revoked:
                return JSONResponse(
                    {"code": 99991663, "msg": "Invalid access token for authorization"}, 400
                )
            if body.get("receive_id") in self.bot_outside:
                return JSONResponse(
                    {"code": 230002, "msg": "Bot/User can NOT be out of the chat."}, 400
                )
            if body.get("uuid") in self._by_uuid:  # Feishu dedupes a uuid for an hour
                message_id = self._by_uuid[body["uuid"]]
            else:
                message_id = f"om_fake_{next(self._ids)}"
                if body.get("uuid"):
                    self._by_uuid[body["uuid"]] = message_id
                self.calls.append(
                    Call(
                        "POST",
                        request.url.path,
                        dict(request.query_params),
                        dict(request.headers),
                        body,
                    )
                )
        return JSONResponse(
            {"code": 0, "msg": "success", "data": {"message_id": message_id, "chat_id": "oc_x"}}
        )


# -- inbound events, as Feishu sends them ---------------------------------------------------------


def encrypt(plain: str, key: str = ENCRYPT_KEY) -> str:
    """AES-256-CBC with key SHA-256(encrypt_key), random IV prepended, PKCS#7, base64."""
    secret = hashlib.sha256(key.encode()).digest()
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(data) + encryptor.finalize()).decode()


def signed(
    payload: dict[str, Any] | str,
    *,
    timestamp: float,
    key: str = ENCRYPT_KEY,
    signing_key: str | None = None,
    encrypted: bool = True,
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one webhook request (X-Lark-Signature over ts+nonce+key+body)."""
    plain = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    body = json.dumps({"encrypt": encrypt(plain, key)}).encode() if encrypted else plain.encode()
    ts, nonce = str(int(timestamp)), uuid.uuid4().hex
    signature = hashlib.sha256((ts + nonce + (signing_key or key)).encode() + body).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Lark-Request-Timestamp": ts,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": signature,
    }
    return body, headers


def header(
    event_type: str,
    *,
    event_id: str | None = None,
    token: str = VERIFICATION_TOKEN,
    tenant_key: str = TENANT_KEY,
) -> dict[str, Any]:
    return {
        "event_id": event_id or uuid.uuid4().hex,
        "event_type": event_type,
        "create_time": "1780275600000",
        "token": token,
        "app_id": "cli_fake",
        "tenant_key": tenant_key,
    }


def message_event(
    text: str,
    *,
    sender: str = "ou_zhang",
    chat_id: str = "oc_group",
    chat_type: str = "group",
    message_id: str = "om_in_1",
    mentions: list[tuple[str, str, str]] | None = None,  # (key, open_id, name)
    event_id: str | None = None,
    token: str = VERIFICATION_TOKEN,
    message_type: str = "text",
    content: dict[str, Any] | None = None,
    tenant_key: str = TENANT_KEY,
) -> dict[str, Any]:
    """An ``im.message.receive_v1`` event (schema 2.0)."""
    return {
        "schema": "2.0",
        "header": header(
            "im.message.receive_v1", event_id=event_id, token=token, tenant_key=tenant_key
        ),
        "event": {
            "sender": {
                "sender_id": {"open_id": sender, "union_id": "on_" + sender, "user_id": None},
                "sender_type": "user",
                "tenant_key": tenant_key,
            },
            "message": {
                "message_id": message_id,
                "create_time": "1780275600000",
                "chat_id": chat_id,
                "chat_type": chat_type,
                "message_type": message_type,
                "content": json.dumps(content or {"text": text}, ensure_ascii=False),
                "mentions": [
                    {"key": k, "id": {"open_id": o}, "name": n, "tenant_key": tenant_key}
                    for k, o, n in mentions or []
                ],
            },
        },
    }


def card_action(
    command: str | None,
    *,
    operator: str = "ou_zhang",
    chat_id: str = "oc_group",
    message_id: str = "om_fake_1",
    event_id: str | None = None,
    value: dict[str, Any] | None = None,
    form_value: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``card.action.trigger`` callback (a button with a ``{"cmd": ...}`` value pressed);
    ``value`` and ``form_value``: a form's submit button, as the card rendered it, and the
    inputs as filled."""
    action: dict[str, Any] = {
        "tag": "button",
        "value": value if value is not None else {"cmd": command} if command else {},
    }
    if form_value is not None:
        action["form_value"] = form_value
    return {
        "schema": "2.0",
        "header": header("card.action.trigger", event_id=event_id),
        "event": {
            "operator": {"tenant_key": TENANT_KEY, "open_id": operator},
            "token": "c-" + uuid.uuid4().hex,
            "action": action,
            "host": "im_message",
            "context": {"open_message_id": message_id, "open_chat_id": chat_id},
        },
    }
