"""``POST /api/v1/chat`` answers the same through the fast path (``web.chat_fast_path``: a script's
request served below the session middleware, the routing and the dependency solving) as through
the ordinary routed path: one table of requests — good ones, bad JSON, wrong types, a missing or
wrong token, an oversized body, the dashboard's cookie with and without its CSRF token, "as",
retries under one event id, a crash — sent to an app with the fast path and to one without it,
status, headers and body compared. Storage is not the subject: SQLite."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response  # what Starlette's TestClient answers with
from pydantic import SecretStr

from teamassist.chat import api as chat_api
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from teamassist.web.chat_fast_path import PATH, ChatFastPath
from tests.conftest import load_demo
from tests.support.web import give_account, sign_in

ROOT = "root-token-parity"
JSON = "application/json"


@dataclass(frozen=True)
class Case:
    """One request of the table; ``{side}`` in the body is the side's name (event ids)."""

    name: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    token: str | None = "root"  # "root", "lisi" (her personal token), a raw value, or None
    fast: bool = False  # answered by the fast path itself (else passed on to the routes)
    query: str = ""
    status: int = 200


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


CASES = [
    Case("whoami", _json({"text": "/我是谁"}), fast=True),
    Case("help", _json({"text": "/帮助"}), fast=True),
    Case("unknown command", _json({"text": "/没有这个命令"}), fast=True),
    Case("plain text", _json({"text": "你好"}), fast=True),
    Case("today's duty", _json({"text": "/今日值班"}), fast=True),
    Case("as a member", _json({"text": "/我是谁", "as": "zhangsan"}), fast=True),
    Case("as nobody", _json({"text": "/我是谁", "as": "nobody-here"}), fast=True, status=404),
    Case("as ''", _json({"text": "/我是谁", "as": ""}), status=422),
    Case("member token", _json({"text": "/我是谁"}), token="lisi", fast=True),
    Case(
        "member as another",
        _json({"text": "/我是谁", "as": "zhangsan"}),
        token="lisi",
        fast=True,
        status=403,
    ),
    Case(
        "unknown personal token",
        _json({"text": "/我是谁"}),
        token="tap_nope",
        fast=True,
        status=401,
    ),
    Case("wrong token", _json({"text": "/我是谁"}), token="not-the-token", status=401),
    Case("no token", _json({"text": "/我是谁"}), token=None, status=401),
    Case("wrong type, wrong token", _json({"text": 5}), token="not-the-token", status=401),
    # FastAPI parses the JSON before it solves the dependencies: unparsable JSON was 422
    # before the wrong token's 401 (session 27); the caller is refused first now
    Case("bad JSON, wrong token", b'{"text": ', token="not-the-token", status=401),
    Case("bad JSON, unknown personal token", b'{"text": ', token="tap_nope", status=401),
    Case("bad JSON, no token", b'{"text": ', token=None, status=401),
    Case("bad JSON", b'{"text": ', status=422),
    Case("empty body", b"", status=422),
    Case("a list", b"[]", status=422),
    Case("text a number", _json({"text": 5}), status=422),
    Case("text empty", _json({"text": ""}), status=422),
    Case("text too long", _json({"text": "长" * 8001}), status=422),
    Case("unknown key", _json({"text": "/我是谁", "mood": "ok"}), status=422),
    Case("field name for alias", _json({"text": "/我是谁", "as_member": "zhangsan"}), status=422),
    Case("as a number", _json({"text": "/我是谁", "as": 7}), status=422),
    Case("duplicate keys", b'{"text": "/no", "text": "/\\u6211\\u662f\\u8c01"}', fast=True),
    Case("oversized", _json({"text": "x" * 2_000_000}), status=413),
    Case("lone surrogate", b'{"text": "\\ud800"}', status=400),
    Case("NUL", b'{"text": "a\\u0000"}', status=400),
    Case(
        "text/plain", _json({"text": "/我是谁"}), headers={"content-type": "text/plain"}, status=422
    ),
    Case(
        "JSON with charset",
        _json({"text": "/我是谁"}),
        headers={"content-type": f"{JSON}; charset=utf-8"},
        fast=True,
    ),
    Case(
        "request id given",
        _json({"text": "/我是谁"}),
        headers={"x-request-id": "abc-123"},
        fast=True,
    ),
    Case("bad request id", _json({"text": "/我是谁"}), headers={"x-request-id": "a b"}, fast=True),
    # a write refuses a query parameter it does not take (s28 E-4), on both paths alike
    Case("a query string", _json({"text": "/我是谁"}), query="?mood=ok", status=422),
    Case("event id", _json({"text": "/我是谁", "event_id": "k-{side}"}), fast=True),
    Case("event id again", _json({"text": "/我是谁", "event_id": "k-{side}"}), fast=True),
    Case(
        "event id reused", _json({"text": "/帮助", "event_id": "k-{side}"}), fast=True, status=422
    ),
    Case("event id too long", _json({"text": "/我是谁", "event_id": "k" * 129}), status=422),
    Case("crash", _json({"text": "/crash-for-the-test"}), fast=True, status=500),
    # the dashboard: its cookie, with and without the form token (CSRF), never the fast path
    Case("cookie and CSRF", _json({"text": "/我是谁"}), token="cookie+csrf"),
    Case("cookie without CSRF", _json({"text": "/我是谁"}), token="cookie", status=403),
    Case(
        "cookie, other site",
        _json({"text": "/我是谁"}),
        token="cookie+csrf",
        headers={"origin": "https://evil.example"},
        status=403,
    ),
    Case("bearer with a cookie", _json({"text": "/我是谁"}), token="root+cookie"),
]


@dataclass
class Sides:
    fast: TestClient
    routed: TestClient
    layer: ChatFastPath
    credentials: dict[str, dict[str, str]]


def _layer(client: TestClient) -> ChatFastPath:
    app = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(app, ChatFastPath):
        app = app.app
    return app


@pytest.fixture
def sides(sqlite_runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sides]:
    rt = sqlite_runtime
    load_demo(rt)
    rt.settings.web.api_token = SecretStr(ROOT)
    rt.settings.web.secret_key = SecretStr("parity-secret")  # one cookie signs in on both apps
    fast_app, routed_app = (
        create_app(rt, start_background=False),
        create_app(rt, start_background=False),
    )
    routed_app.user_middleware = [
        m for m in routed_app.user_middleware if cast(object, m.cls) is not ChatFastPath
    ]
    answer = chat_api.answer_json

    def crashing(runtime: Runtime, principal: object, body: chat_api.ChatRequest) -> bytes:
        if body.text == "/crash-for-the-test":
            raise RuntimeError("a bug")
        return answer(runtime, principal, body)  # type: ignore[arg-type]

    monkeypatch.setattr(chat_api, "answer_json", crashing)
    with (
        TestClient(fast_app, raise_server_exceptions=False) as fast,
        TestClient(routed_app, raise_server_exceptions=False) as routed,
    ):
        with TestClient(fast_app) as browser:
            csrf = sign_in(browser)
            cookie = f"teamassist_session={browser.cookies['teamassist_session']}"
        with TestClient(fast_app) as lisi:
            sign_in(lisi, "lisi", give_account(rt, "lisi"))
            made = lisi.post("/api/v1/me/tokens", json={"name": "parity"})
            assert made.status_code == 201, made.text
        credentials = {
            "root": {"authorization": f"Bearer {ROOT}"},
            "lisi": {"authorization": f"Bearer {made.json()['token']}"},
            "cookie": {"cookie": cookie},
            "cookie+csrf": {"cookie": cookie, "x-csrf-token": csrf},
            "root+cookie": {"authorization": f"Bearer {ROOT}", "cookie": cookie},
        }
        yield Sides(fast, routed, _layer(fast), credentials)


def _send(
    client: TestClient, case: Case, side: str, credentials: dict[str, dict[str, str]]
) -> Response:
    client.cookies.clear()  # only what the case sends
    headers = {"content-type": JSON}
    if case.token is not None:
        headers.update(credentials.get(case.token) or {"authorization": f"Bearer {case.token}"})
    headers.update(case.headers)
    return client.post(
        PATH + case.query, content=case.body.replace(b"{side}", side.encode()), headers=headers
    )


def _seen(response: Response) -> tuple[int, list[tuple[str, str]], str]:
    """Status, headers and body, what differs by nature masked: a generated request id, a
    session cookie signed at another second, a crash's error id."""
    headers = []
    for name, value in response.headers.multi_items():
        if name == "x-request-id" and re.fullmatch(r"[0-9a-f]{32}", value):
            value = "<generated>"
        if name == "set-cookie":
            value = re.sub(r"^teamassist_session=[^;]*", "teamassist_session=<signed>", value)
        headers.append((name, value))
    body = response.text
    if response.status_code == 500:
        body = re.sub(r"[0-9a-f]{8}", "<id>", body)
    return response.status_code, headers, body


def test_the_fast_path_answers_every_request_as_the_routes_do(sides: Sides) -> None:
    for case in CASES:
        before = sides.layer.served
        fast = _send(sides.fast, case, "fast", sides.credentials)
        routed = _send(sides.routed, case, "routed", sides.credentials)
        assert fast.status_code == case.status, (case.name, fast.text[:300])
        assert _seen(fast) == _seen(routed), case.name
        assert sides.layer.served - before == case.fast, case.name
    # the answers carry what the one error shape and the request kit promise
    assert sides.layer.served == sum(case.fast for case in CASES)


def test_the_route_stays_in_the_api_description(sides: Sides) -> None:
    schema = sides.fast.get("/openapi.json").json()
    operation = schema["paths"][PATH]["post"]
    assert operation["requestBody"]["content"][JSON]["schema"]["$ref"].endswith("/ChatRequest")
