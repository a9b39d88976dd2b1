"""A fake QQ open platform: the token endpoint and the OpenAPI routes we call, on a real port;
plus the platform side of webhooks (events built and ed25519-signed the way QQ does it)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.platforms.fakes.serving import RunningServer, serve

APP_ID = "102000001"
SECRET = "qqFakeSecret0123"
BOT_USER_ID = "1234567890"


@dataclass
class Call:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Failure:
    """Answer the next ``times`` matching requests with ``status`` (and a QQ error ``code``)."""

    status: int
    code: int | None = None
    times: int = 1
    path: str = ""  # substring of the path; "" = every route (token endpoint included)


@dataclass
class FakeQQ:
    """State of the fake; tests read ``calls`` and queue ``failures``."""

    app_id: str = APP_ID
    secret: str = SECRET
    calls: list[Call] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    channel_guilds: dict[str, str] = field(default_factory=dict)
    # Path prefixes where markdown is refused, as for bots without native markdown permission.
    markdown_refused: set[str] = field(default_factory=set)
    # Path prefixes where a keyboard is refused, as for bots QQ has not approved for buttons (the
    # code is the fake's own: what QQ answers is not in the docs we have).
    keyboard_refused: set[str] = field(default_factory=set)
    refused: list[Call] = field(default_factory=list)
    # The directory: guild id -> user id -> (nick, role ids); guild id -> [(channel id, name,
    # type)]; group openid -> member openid -> (username, member_role).
    guild_members: dict[str, dict[str, tuple[str, list[str]]]] = field(default_factory=dict)
    guild_channels: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    group_members: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    directory_calls: list[Call] = field(default_factory=list)
    tokens_issued: int = 0
    server: RunningServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _seen_seq: set[tuple[str, str, int]] = field(default_factory=set)

    # -- what was sent -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def messages(self, path_part: str = "/messages") -> list[Call]:
        """Message sends that QQ accepted, oldest first."""
        return [c for c in self.calls if c.method == "POST" and c.path.endswith(path_part)]

    def fail(self, status: int, *, code: int | None = None, times: int = 1, path: str = "") -> None:
        """Make the next ``times`` requests (to ``path``) fail."""
        self.failures.append(Failure(status, code, times, path))

    def _failure_for(self, path: str) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.times > 0 and failure.path in path:
                    failure.times -= 1
                    return failure
        return None

    # -- the platform side of webhooks ---------------------------------------------------------

    def key(self) -> Ed25519PrivateKey:
        """QQ's signing key: ed25519 seeded with the bot secret repeated to 32 bytes."""
        seed = self.secret.encode()
        while len(seed) < 32:
            seed += self.secret.encode()
        return Ed25519PrivateKey.from_private_bytes(seed[:32])

    def signed_headers(self, body: bytes, timestamp: int) -> dict[str, str]:
        """The headers QQ sends with a callback."""
        signature = self.key().sign(str(timestamp).encode() + body).hex()
        return {
            "Content-Type": "application/json",
            "User-Agent": "QQBot-Callback",
            "X-Bot-Appid": self.app_id,
            "X-Signature-Timestamp": str(timestamp),
            "X-Signature-Method": "Ed25519",
            "X-Signature-Ed25519": signature,
        }

    def public_key_verifies(self, signature_hex: str, message: bytes) -> bool:
        """What QQ does with the op 13 answer."""
        from cryptography.exceptions import InvalidSignature

        try:
            self.key().public_key().verify(bytes.fromhex(signature_hex), message)
        except (InvalidSignature, ValueError):
            return False
        return True


def dispatch(event_type: str, event_id: str, data: dict[str, Any], seq: int = 1) -> bytes:
    """An op 0 callback body."""
    payload = {"op": 0, "s": seq, "t": event_type, "id": event_id, "d": data}
    return json.dumps(payload, ensure_ascii=False).encode()


def guild_at_message(
    *,
    event_id: str,
    message_id: str,
    text: str,
    author_id: str = "u-zhang",
    author_name: str = "张三",
    roles: list[str] | None = None,
    mentions: list[tuple[str, str]] = (),  # type: ignore[assignment]
    channel_id: str = "ch-public",
    guild_id: str = "g-1",
) -> bytes:
    """AT_MESSAGE_CREATE as QQ sends it: the bot's mention leads the content."""
    users = [{"id": BOT_USER_ID, "username": "小助理", "bot": True}]
    users += [{"id": uid, "username": name, "bot": False} for uid, name in mentions]
    return dispatch(
        "AT_MESSAGE_CREATE",
        event_id,
        {
            "id": message_id,
            "channel_id": channel_id,
            "guild_id": guild_id,
            "content": f"<@!{BOT_USER_ID}> {text}",
            "timestamp": "2026-06-01T09:00:00+08:00",
            "author": {"id": author_id, "username": author_name, "bot": False},
            "member": {
                "nick": author_name,
                "roles": roles or ["1"],
                "joined_at": "2025-01-01T00:00:00+08:00",
            },
            "mentions": users,
            "seq": 7,
            "seq_in_channel": "7",
        },
    )


def group_at_message(
    *,
    event_id: str,
    message_id: str,
    text: str,
    member_openid: str = "MO-ZHANG",
    member_role: str = "member",
    group_openid: str = "G-OPENID-1",
) -> bytes:
    """GROUP_AT_MESSAGE_CREATE: QQ leaves the @bot out of the content."""
    return dispatch(
        "GROUP_AT_MESSAGE_CREATE",
        event_id,
        {
            "id": message_id,
            "content": f" {text}",
            "timestamp": "2026-06-01T09:00:00+08:00",
            "group_id": group_openid,
            "group_openid": group_openid,
            "author": {
                "id": member_openid,
                "member_openid": member_openid,
                "bot": False,
                "member_role": member_role,
            },
        },
    )


def c2c_message(
    *, event_id: str, message_id: str, text: str, user_openid: str = "UO-ZHANG"
) -> bytes:
    """C2C_MESSAGE_CREATE (a private chat with the bot)."""
    return dispatch(
        "C2C_MESSAGE_CREATE",
        event_id,
        {
            "id": message_id,
            "content": text,
            "timestamp": "2026-06-01T09:00:00+08:00",
            "author": {"id": user_openid, "user_openid": user_openid},
        },
    )


def build_app(fake: FakeQQ) -> FastAPI:
    """The fake's HTTP routes."""
    app = FastAPI()

    def token() -> str:
        return f"token-{fake.tokens_issued}"

    async def record(request: Request) -> Call:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        call = Call(request.method, request.url.path, dict(request.headers), body)
        return call

    def failed(call: Call) -> Response | None:
        failure = fake._failure_for(call.path)
        if failure is None:
            return None
        content: dict[str, Any] = {"message": "fake failure"}
        if failure.code is not None:
            content["code"] = failure.code
        return JSONResponse(content, status_code=failure.status)

    def authorised(call: Call) -> Response | None:
        if call.headers.get("authorization") != f"QQBot {token()}":
            return JSONResponse({"code": 11244, "message": "token not exist"}, status_code=401)
        if call.headers.get("x-union-appid") != fake.app_id:
            return JSONResponse({"code": 11241, "message": "wrong appid"}, status_code=401)
        return None

    @app.post("/app/getAppAccessToken")
    async def get_token(request: Request) -> Response:
        call = await record(request)
        fake.calls.append(call)
        if (bad := failed(call)) is not None:
            return bad
        if call.body != {"appId": fake.app_id, "clientSecret": fake.secret}:
            return JSONResponse({"code": 100016, "message": "invalid appid or secret"}, 400)
        fake.tokens_issued += 1
        return JSONResponse({"access_token": token(), "expires_in": "7200"})

    @app.post("/channels/{channel_id}/messages")
    @app.post("/v2/groups/{target}/messages")
    @app.post("/v2/users/{target}/messages")
    async def post_message(request: Request) -> Response:
        call = await record(request)
        if (bad := failed(call) or authorised(call)) is not None:
            return bad
        body = call.body if isinstance(call.body, dict) else {}
        if "markdown" in body and any(call.path.startswith(p) for p in fake.markdown_refused):
            fake.refused.append(call)
            return JSONResponse({"code": 50007, "message": "no markdown permission"}, 400)
        if "keyboard" in body and any(call.path.startswith(p) for p in fake.keyboard_refused):
            fake.refused.append(call)
            return JSONResponse({"code": 50008, "message": "no keyboard permission"}, 400)
        if "msg_seq" in body and body.get("msg_id"):
            seen = (call.path, str(body["msg_id"]), int(body["msg_seq"]))
            with fake._lock:
                if seen in fake._seen_seq:
                    return JSONResponse({"code": 40054005, "message": "消息被去重"}, 400)
                fake._seen_seq.add(seen)
        fake.calls.append(call)
        return JSONResponse(
            {"id": f"qqmsg-{len(fake.calls)}", "timestamp": "2026-06-01T09:00:01+08:00"}
        )

    @app.get("/channels/{channel_id}")
    async def get_channel(channel_id: str, request: Request) -> Response:
        call = await record(request)
        if (bad := failed(call) or authorised(call)) is not None:
            return bad
        fake.calls.append(call)
        guild = fake.channel_guilds.get(channel_id, "g-1")
        return JSONResponse({"id": channel_id, "guild_id": guild, "name": "公共频道", "type": 0})

    def guild_member(guild_id: str, user_id: str) -> dict[str, Any] | None:
        found = fake.guild_members.get(guild_id, {}).get(user_id)
        if found is None:
            return None
        nick, roles = found
        return {
            "user": {"id": user_id, "username": nick, "bot": False},
            "nick": nick,
            "roles": roles,
            "joined_at": "2025-01-01T00:00:00+08:00",
        }

    async def directory_call(request: Request) -> Response | None:
        call = await record(request)
        if (bad := failed(call) or authorised(call)) is not None:
            return bad
        fake.directory_calls.append(call)
        return None

    def not_found(what: str) -> Response:
        return JSONResponse({"code": 50001, "message": f"{what} not found"}, status_code=404)

    @app.get("/guilds/{guild_id}/members/{user_id}")
    async def get_member(guild_id: str, user_id: str, request: Request) -> Response:
        if (bad := await directory_call(request)) is not None:
            return bad
        member = guild_member(guild_id, user_id)
        return JSONResponse(member) if member is not None else not_found("member")

    @app.get("/guilds/{guild_id}/members")
    async def list_members(guild_id: str, request: Request) -> Response:
        if (bad := await directory_call(request)) is not None:
            return bad
        after = request.query_params.get("after", "0")
        limit = int(request.query_params.get("limit", "1"))
        ids = sorted(fake.guild_members.get(guild_id, {}))
        ids = [i for i in ids if after == "0" or i > after][:limit]
        return JSONResponse([guild_member(guild_id, i) for i in ids])

    @app.get("/guilds/{guild_id}/channels")
    async def list_channels(guild_id: str, request: Request) -> Response:
        if (bad := await directory_call(request)) is not None:
            return bad
        if guild_id not in fake.guild_channels:
            return not_found("guild")
        return JSONResponse(
            [
                {
                    "id": cid,
                    "guild_id": guild_id,
                    "name": name,
                    "type": kind,
                    "sub_type": 0,
                    "position": n,
                }
                for n, (cid, name, kind) in enumerate(fake.guild_channels[guild_id])
            ]
        )

    def group_member(group: str, openid: str) -> dict[str, Any] | None:
        found = fake.group_members.get(group, {}).get(openid)
        if found is None:
            return None
        name, role = found
        return {"member_openid": openid, "username": name, "member_role": role, "bot": False}

    @app.get("/v2/groups/{group}/members/{openid}")
    async def get_group_member(group: str, openid: str, request: Request) -> Response:
        if (bad := await directory_call(request)) is not None:
            return bad
        member = group_member(group, openid)
        return JSONResponse(member) if member is not None else not_found("member")

    @app.get("/v2/groups/{group}/members")
    async def list_group_members(group: str, request: Request) -> Response:
        if (bad := await directory_call(request)) is not None:
            return bad
        members = [group_member(group, o) for o in sorted(fake.group_members.get(group, {}))]
        return JSONResponse({"members": members, "next_cursor": None})

    @app.patch("/guilds/{guild_id}/mute")
    async def mute(guild_id: str, request: Request) -> Response:
        call = await record(request)
        if (bad := failed(call) or authorised(call)) is not None:
            return bad
        fake.calls.append(call)
        return Response(status_code=204)

    return app


def start() -> FakeQQ:
    """A running fake (stop it with ``fake.server.stop()``)."""
    fake = FakeQQ()
    fake.server = serve(build_app(fake))
    return fake
