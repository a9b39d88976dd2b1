"""Every request body is capped before any layer buffers it (``http.body_limit``; tester s28
D-5: one anonymous 1.2 GB POST took the server from 1 to 5 GB). A declared length over the
limit is refused before a byte is read; a chunked body is cut where it passes the limit;
forms and uploads have their own, larger limit; nothing under the limits changes. Storage is
not the subject: SQLite."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from teamassist.chat.models import InboundEvent
from teamassist.database import transaction
from teamassist.http.body_limit import ERROR_KEY, BodyLimit
from teamassist.i18n import t
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo

ROOT = "root-token-body-limit"
KIB = 1024


@pytest.fixture
def client(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    sqlite_runtime.settings.web.api_token = SecretStr(ROOT)
    sqlite_runtime.settings.web.max_body_bytes = 64 * KIB
    sqlite_runtime.settings.web.max_upload_bytes = 256 * KIB
    with TestClient(create_app(sqlite_runtime, start_background=False)) as c:
        yield c


def _events(runtime: Runtime) -> int:
    with transaction(runtime.factory) as session:
        return session.scalar(select(func.count()).select_from(InboundEvent)) or 0


def _chat(text: str) -> bytes:
    return json.dumps({"text": text}, ensure_ascii=False).encode()


AUTH = {"Authorization": f"Bearer {ROOT}", "Content-Type": "application/json"}


def test_a_body_over_the_limit_is_refused_with_the_reason_and_nothing_done(
    sqlite_runtime: Runtime, client: TestClient
) -> None:
    before = _events(sqlite_runtime)
    big = client.post("/api/v1/chat", content=_chat("/问题反馈 " + "长" * 30_000), headers=AUTH)
    assert big.status_code == 413
    assert big.json() == {"error": ERROR_KEY, "message": t(ERROR_KEY, limit="0.0625")}
    assert big.headers["connection"] == "close" and big.headers["x-request-id"]
    # the same request under the limit is served: the cap is the only difference
    small = client.post("/api/v1/chat", content=_chat("/问题反馈 登录页打不开"), headers=AUTH)
    assert small.status_code == 200 and small.json()["handled"] is True
    assert _events(sqlite_runtime) == before + 1


def test_the_limit_holds_without_a_token_and_on_any_path(client: TestClient) -> None:
    body = b"x" * (64 * KIB + 1)
    # the cap comes before the token check and the routing: nobody gets to make it buffer
    assert client.post("/api/v1/chat", content=body).status_code == 413
    assert client.post("/nothing-here", content=body).status_code == 413
    assert client.post("/webhooks/feishu/events", content=body).status_code == 413
    # exactly the limit passes on to the route, which answers for itself
    assert client.post("/nothing-here", content=b"x" * (64 * KIB)).status_code == 404


def test_a_chunked_body_is_refused_too(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: Transfer-Encoding chunked
        for _ in range(8):
            yield b"x" * (16 * KIB)

    answer = client.post("/api/v1/chat", content=chunks(), headers=AUTH)
    assert answer.status_code == 413 and answer.json()["error"] == ERROR_KEY


@pytest.mark.parametrize("declared", [[(b"content-length", b"10")], []], ids=["false", "none"])
def test_a_streamed_body_is_cut_where_it_passes_the_limit(
    declared: list[tuple[bytes, bytes]],
) -> None:
    """A body with no length (chunked) or a false one is counted as it arrives, and nothing
    past the limit is asked for: the memory a request can take is the limit. (Starlette's
    TestClient reads a streamed body whole before the app sees it: a bare ASGI call.)"""
    pulled = 0
    inner_read = 0

    async def receive() -> dict[str, object]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * KIB, "more_body": True}

    async def app(scope: object, receive_: object, send: object) -> None:
        nonlocal inner_read
        while True:  # reads everything, as the retry layer does
            message = await receive_()  # type: ignore[operator]
            inner_read += len(message["body"])

    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/chat",
        "headers": [*declared, (b"content-type", b"application/json")],
        "query_string": b"",
    }
    layer = BodyLimit(
        app, body_bytes=8 * KIB, upload_bytes=32 * KIB, buffered_bytes=KIB * KIB, read_timeout=30
    )
    asyncio.run(layer(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["status"] == 413
    assert inner_read <= 8 * KIB and pulled == 9


@pytest.mark.parametrize(
    ("content_type", "limit"),
    [
        ("application/json", 64 * KIB),
        ("text/plain", 64 * KIB),
        ("multipart/form-data; boundary=x", 256 * KIB),
        ("Multipart/Form-Data; boundary=x", 256 * KIB),
        ("application/x-www-form-urlencoded", 256 * KIB),
    ],
)
def test_forms_and_uploads_have_their_own_limit(content_type: str, limit: int) -> None:
    layer = BodyLimit(
        lambda *a: None,  # type: ignore[arg-type]
        body_bytes=64 * KIB,
        upload_bytes=256 * KIB,
        buffered_bytes=KIB * KIB,
        read_timeout=30,
    )
    scope = {"type": "http", "headers": [(b"content-type", content_type.encode())]}
    assert layer.limit_of(scope) == limit


def test_an_upload_under_its_limit_reaches_its_route(client: TestClient) -> None:
    """The OKR sheet import takes a file far larger than any JSON body: the upload limit lets
    it through to the route's own answer (here the sheet's refusal, not a 413)."""
    sheet = b"a,b\n" * (100 * KIB // 4)  # 100 KiB: over the JSON limit, under the upload one
    answer = client.post(
        "/api/v1/okr/cycles/1/import?team_id=1",
        files={"file": ("okr.csv", sheet, "text/csv")},
        headers={"Authorization": f"Bearer {ROOT}"},
    )
    assert answer.status_code != 413, answer.text
    too_big = client.post(
        "/api/v1/okr/cycles/1/import?team_id=1",
        files={"file": ("okr.csv", sheet * 3, "text/csv")},
        headers={"Authorization": f"Bearer {ROOT}"},
    )
    assert too_big.status_code == 413


@pytest.mark.parametrize(
    ("content_type", "declared"),
    [
        (b"application/json", None),
        (b"application/vnd.example+json", None),
        (b"application/json", b"419430400"),
        (b"text/plain", None),
    ],
    ids=["json", "json suffix", "json declared 400 MiB", "text"],
)
def test_no_layer_of_the_app_reads_past_the_limit_first(
    sqlite_runtime: Runtime, content_type: bytes, declared: bytes | None
) -> None:
    """The whole app, not the layer alone: the JSON guard (``http.errors.JsonBodyGuard``) read
    a JSON body whole before the cap counted it, because it was added outside it (tester s28
    E-2: a 400 MiB chunked JSON body took the server to 953 MB). Whatever the body, the app
    asks for no more than the limit and one message; a declared length over it, for none."""
    sqlite_runtime.settings.web.max_body_bytes = 64 * KIB
    app = create_app(sqlite_runtime, start_background=False)
    pulled = 0

    async def receive() -> dict[str, object]:
        nonlocal pulled
        pulled += 1  # 4 MiB in all: a layer that reads it whole ends (and the test fails)
        return {"type": "http.request", "body": b"x" * KIB, "more_body": pulled < 4096}

    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    headers = [(b"content-type", content_type), (b"host", b"testserver")]
    if declared is not None:
        headers.append((b"content-length", declared))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/chat",
        "raw_path": b"/api/v1/chat",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "app": app,
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["status"] == 413
    assert pulled == (0 if declared is not None else 65)


def _scope(
    app: object, content_type: bytes, declared: int | None = None, client: str = "127.0.0.1"
) -> dict[str, object]:
    headers = [(b"content-type", content_type), (b"host", b"testserver")]
    if declared is not None:
        headers.append((b"content-length", str(declared).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/nothing-here",
        "raw_path": b"/nothing-here",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": (client, 50000),
        "server": ("testserver", 80),
        "app": app,
    }


class _Upload:
    """A chunked upload of ``kib`` 1 KiB messages, counting what the app pulls; with
    ``stall_at``, it stops sending there (the client keeps the socket open)."""

    def __init__(self, kib: int, stall_at: int | None = None, gap: float = 0.0) -> None:
        self.kib = kib
        self.stall_at = stall_at
        self.gap = gap  # seconds before each message: a body that trickles
        self.pulled = 0
        self.stalled = asyncio.Event()
        self.sent: list[dict[str, object]] = []

    async def receive(self) -> dict[str, object]:
        if self.pulled == self.stall_at:
            self.stalled.set()
            await asyncio.Event().wait()  # never set: only the read timeout ends it
        if self.gap:
            await asyncio.sleep(self.gap)
        self.pulled += 1
        return {"type": "http.request", "body": b"x" * KIB, "more_body": self.pulled < self.kib}

    async def send(self, message: dict[str, object]) -> None:
        self.sent.append(message)

    def status(self) -> object:
        return self.sent[0]["status"] if self.sent else None

    def headers(self) -> dict[bytes, bytes]:
        headers: list[tuple[bytes, bytes]] = self.sent[0]["headers"]  # type: ignore[assignment]
        return dict(headers)


@pytest.fixture
def bounded_app(sqlite_runtime: Runtime) -> object:
    web = sqlite_runtime.settings.web
    web.max_upload_bytes = 256 * KIB
    web.max_buffered_body_bytes = 256 * KIB
    web.max_buffered_body_bytes_per_client = 256 * KIB
    web.body_read_timeout_seconds = 0.2
    return create_app(sqlite_runtime, start_background=False)


FORM = b"multipart/form-data; boundary=x"


@pytest.mark.parametrize("declared", [False, True], ids=["chunked", "declared"])
def test_the_bodies_read_at_once_are_bounded_and_given_back(
    bounded_app: object, declared: bool
) -> None:
    """Each body under its limit, but together over ``web.max_buffered_body_bytes``: the one
    that would pass it is refused (503, Retry-After) where it would, before a byte when its
    length says so; the bytes come back when the request holding them ends (tester s28 N1:
    100 stalled uploads of 6.2 MB took the server from 222 to 736 MB)."""
    app = bounded_app
    stalled = _Upload(kib=250, stall_at=200)
    second = _Upload(kib=100)
    after = _Upload(kib=100)

    async def run() -> None:
        first = asyncio.create_task(app(_scope(app, FORM), stalled.receive, stalled.send))  # type: ignore[operator]
        await stalled.stalled.wait()
        length = 100 * KIB if declared else None
        await app(_scope(app, FORM, length), second.receive, second.send)  # type: ignore[operator]
        await first
        await app(_scope(app, FORM, length), after.receive, after.send)  # type: ignore[operator]

    asyncio.run(run())
    assert second.status() == 503
    assert second.headers()[b"retry-after"] == b"5"
    assert second.headers()[b"connection"] == b"close"
    body = json.loads(second.sent[1]["body"])  # type: ignore[arg-type]
    busy = "core.http.bodies_busy"
    assert body == {"error": busy, "message": t(busy, seconds=5)}
    # 200 KiB held by the stalled one: the 57th KiB of the second would pass 256 KiB
    assert second.pulled == (0 if declared else 57)
    assert stalled.status() == 408  # the stalled one timed out and gave its bytes back
    assert after.status() == 404 and after.pulled == 100  # so the same body now reaches routing


def test_a_body_that_stops_arriving_is_answered_408_and_closed(bounded_app: object) -> None:
    app = bounded_app
    upload = _Upload(kib=100, stall_at=10)
    asyncio.run(app(_scope(app, b"application/json"), upload.receive, upload.send))  # type: ignore[operator]
    assert upload.status() == 408 and upload.pulled == 10
    assert upload.headers()[b"connection"] == b"close"
    body = json.loads(upload.sent[1]["body"])  # type: ignore[arg-type]
    assert body == {"error": "core.http.body_stalled", "message": t("core.http.body_stalled")}


def test_only_the_body_is_timed_not_the_wait_for_the_disconnect() -> None:
    """After the last body message an app may wait on ``receive`` for the client to go away
    (a streamed response does): that wait is as long as the response, not a stalled body."""
    waited = False

    async def app(scope: object, receive: object, send: object) -> None:
        nonlocal waited
        await receive()  # type: ignore[operator]
        await asyncio.sleep(0.1)  # the response takes longer than the read timeout
        assert (await receive())["type"] == "http.disconnect"  # type: ignore[operator]
        waited = True
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]

    messages = [{"type": "http.request", "body": b"{}", "more_body": False}]

    async def receive() -> dict[str, object]:
        if messages:
            return messages.pop()
        await asyncio.sleep(0.1)  # the client disconnects later than the timeout
        return {"type": "http.disconnect"}

    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    layer = BodyLimit(
        app,
        body_bytes=KIB,
        upload_bytes=KIB,
        buffered_bytes=KIB,
        read_timeout=0.05,
    )
    asyncio.run(layer({"type": "http", "headers": []}, receive, send))  # type: ignore[arg-type]
    assert waited and sent[0]["status"] == 200 and layer.held == 0


def test_a_stalled_body_on_a_served_socket_is_answered_and_closed(bounded_app: object) -> None:
    """The same through uvicorn: the 408 goes out and the server closes the socket (the
    tester's stalled connections stayed open 60 s and more, unanswered)."""
    from tests.support.server import serve

    with serve(bounded_app) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(
                b"POST /api/v1/okr/import HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: multipart/form-data; boundary=x\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" + b"400\r\n" + b"a" * KIB + b"\r\n"
            )
            answer = b""
            while chunk := sock.recv(65536):  # until the server closes it
                answer += chunk
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"core.http.body_stalled" in answer


def test_the_bodies_read_at_once_hold_at_least_one_whole_upload() -> None:
    from pydantic import ValidationError

    from teamassist.config import WebSettings

    with pytest.raises(ValidationError, match=r"web\.max_buffered_body_bytes"):
        WebSettings(max_upload_bytes=8 * KIB * KIB, max_buffered_body_bytes=4 * KIB * KIB)
    fits = WebSettings(max_upload_bytes=8 * KIB * KIB, max_buffered_body_bytes=8 * KIB * KIB)
    assert fits.max_buffered_body_bytes == 8 * KIB * KIB


def test_one_client_holds_its_share_of_the_bodies_not_all(sqlite_runtime: Runtime) -> None:
    """Tester s29 G-1: 100 anonymous bodies filled the shared budget to the byte and, fed a
    byte every 20 s, locked every other request with a body out (503) for as long as they
    liked. One client address holds at most ``web.max_buffered_body_bytes_per_client``: its
    next body is refused there, another client's is read."""
    web = sqlite_runtime.settings.web
    web.max_upload_bytes = 64 * KIB
    web.max_buffered_body_bytes = 256 * KIB
    web.max_buffered_body_bytes_per_client = 128 * KIB
    web.body_read_timeout_seconds = 0.2
    app: Any = create_app(sqlite_runtime, start_background=False)
    held = [_Upload(kib=64, stall_at=64 - 1) for _ in range(2)]
    again, other = _Upload(kib=8), _Upload(kib=8)

    async def run() -> None:
        tasks = [
            asyncio.create_task(app(_scope(app, FORM, client="10.0.0.66"), u.receive, u.send))
            for u in held
        ]
        for upload in held:
            await upload.stalled.wait()
        await app(_scope(app, FORM, client="10.0.0.66"), again.receive, again.send)
        await app(_scope(app, FORM, client="10.0.0.7"), other.receive, other.send)
        await asyncio.gather(*tasks)

    asyncio.run(run())
    assert again.status() == 503 and again.pulled == 3  # 126 KiB held: the 3rd KiB passes 128
    assert other.status() == 404 and other.pulled == 8  # another client's body reaches routing
    assert [u.status() for u in held] == [408, 408]


def test_a_body_that_trickles_past_the_deadline_is_answered_408(sqlite_runtime: Runtime) -> None:
    """Each gap under the read timeout, the whole body not within ``web.body_deadline_seconds``:
    the byte every 20 s of tester s29 G-1 kept a body open without end."""
    web = sqlite_runtime.settings.web
    web.body_read_timeout_seconds = 0.2
    web.body_deadline_seconds = 0.3
    app: Any = create_app(sqlite_runtime, start_background=False)
    trickle = _Upload(kib=100, gap=0.05)
    asyncio.run(app(_scope(app, b"application/json"), trickle.receive, trickle.send))
    assert trickle.status() == 408 and 3 <= trickle.pulled <= 7, trickle.pulled
    assert trickle.headers()[b"connection"] == b"close"


def test_uvicorn_counts_no_connections_unless_told() -> None:
    """Tester s29 G-7: web.max_connections = 1000 (uvicorn's limit_concurrency, which counts
    idle and half-sent connections and has no header timeout) let 1,010 anonymous sockets,
    each sending a header line every 10 s, make every request of everyone a bare 503. No limit
    by default now; an operator behind a proxy that times out headers may set one."""
    from types import SimpleNamespace

    from teamassist.config import WebSettings
    from teamassist.launch.server import connection_limit

    assert connection_limit(SimpleNamespace(web=WebSettings())) is None  # type: ignore[arg-type]
    told = SimpleNamespace(web=WebSettings(max_connections=500))
    assert connection_limit(told) == 500  # type: ignore[arg-type]
