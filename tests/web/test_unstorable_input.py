"""Input no backend can store is refused at the edge, never a 500 (issue #10 B and G).

The inputs are the ones a tester sent: ids and offsets at 2^63, NUL characters in JSON and in
query strings, bytes a terminal could not decode. Every refusal has the one error shape.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from teamassist.chat.types import InboundMessage, storable_text
from teamassist.enums import Platform
from teamassist.feedback.models import FeedbackItem
from teamassist.http import errors
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.chat import ChatDriver
from tests.support.web import BROWSER, sign_in

TOO_BIG = 2**63
TOKEN = "unstorable-token"


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    sqlite_runtime.settings.web.api_token = SecretStr(TOKEN)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        client.headers["Authorization"] = f"Bearer {TOKEN}"
        yield client


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/feedback/items", {"text": "x", "team_id": TOO_BIG}),
        ("GET", f"/api/v1/teams/{TOO_BIG}/settings", None),
        ("GET", f"/api/v1/teams/{TOO_BIG}/members", None),
        ("GET", f"/api/v1/feedback/items?offset={TOO_BIG}", None),
        ("GET", f"/api/v1/feedback/items?team_id={TOO_BIG}", None),
        ("GET", f"/api/v1/feedback/report?team_id={TOO_BIG}", None),
        ("POST", f"/api/v1/outbox/{TOO_BIG}/retry", None),
    ],
)
def test_numbers_past_int64_are_refused_not_crashed(
    api: TestClient, method: str, path: str, body: dict[str, object] | None
) -> None:
    response = api.request(method, path, json=body)
    assert response.status_code in (400, 404, 422), response.text
    assert set(response.json()) >= {"error", "message"}


@pytest.mark.parametrize(
    "body",
    [
        {"text": "rest nul\u0000"},
        {"text": "/我是谁", "as": "zhang\u0000san"},
        {"text": "/我是谁", "as": "zhangsan", "event_id": "e\u0000v"},
    ],
)
def test_nul_in_json_is_refused_and_stores_nothing(
    api: TestClient, sqlite_runtime: Runtime, body: dict[str, str]
) -> None:
    path = "/api/v1/feedback/items" if "as" not in body else "/api/v1/chat"
    response = api.post(path, json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "core.error.nul_text"
    with sqlite_runtime.factory() as session:
        assert (
            session.scalar(select(FeedbackItem).where(FeedbackItem.text.like("rest nul%"))) is None
        )


def test_nul_in_a_query_string_is_refused(api: TestClient) -> None:
    response = api.get("/api/v1/feedback/items?q=a%00b")
    assert response.status_code == 400 and response.json()["error"] == "core.error.nul_query"
    assert "无法保存" not in response.json()["message"]  # a GET saves nothing


@pytest.mark.parametrize("path", ["/actions?owner=%00", "/okr?team=%00", "/meetings?x=%00"])
def test_a_page_with_nul_in_its_query_is_the_html_error_page(
    sqlite_runtime: Runtime, path: str
) -> None:
    """Tester s26 B-14: a browser got raw JSON, without the page shell or its policy, where
    other bad page queries (/okr?cycle=9999Q9) render the error page."""
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as browser:
        sign_in(browser)
        page = browser.get(path, headers=BROWSER)
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    assert "content-security-policy" in page.headers
    assert "<html" in page.text and "空字符（U+0000，%00）" in page.text


def test_undecodable_terminal_bytes_become_replacement_characters(sqlite_chat: ChatDriver) -> None:
    # `teamassist chat --as zhangsan $'/问题反馈 bad\xff\xfe bytes'`: Python hands the CLI
    # surrogate escapes (U+DCFF U+DCFE) for the bytes it could not decode.
    text = sqlite_chat.text("/问题反馈 bad\udcff\udcfe bytes", as_="zhangsan")
    assert "错误编号" not in text
    with sqlite_chat.runtime.factory() as session:
        stored = session.scalars(select(FeedbackItem.text)).all()
    assert "bad\ufffd\ufffd bytes" in stored


def test_inbound_text_is_made_storable_on_every_field() -> None:
    message = InboundMessage(
        platform=Platform.WEB, chat_key="c\x00", sender_key="s\ud800", text="a\x00b\udcff"
    )
    assert (message.chat_key, message.sender_key, message.text) == ("c", "s\ufffd", "ab\ufffd")
    assert storable_text("普通文字 🙂") == "普通文字 🙂"


def test_an_unhandled_error_answers_in_the_one_shape_with_an_id() -> None:
    app = FastAPI()
    errors.install(app)

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/boom")
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "core.error.internal" and "错误编号" in body["message"]
