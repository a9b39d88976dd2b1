"""Issue #10 G: every REST error is ``{"error", "message"}``; browsers get an HTML error page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import sign_in


@pytest.fixture
def client(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as c:
        yield c


def test_401_has_the_one_shape(client: TestClient) -> None:
    response = client.get("/api/v1/teams")
    assert response.status_code == 401
    assert response.json() == {
        "error": "core.http.401",
        "message": "请先登录控制台，或在 Authorization 头里带上有效的 API token。"
        "Sign in to the dashboard, or send a valid API token in the Authorization header."
        " not signed in",
    }


def test_unknown_api_route_and_method(client: TestClient) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json() == {"error": "core.http.404", "message": "找不到这个地址。"}
    wrong = client.delete("/api/v1/chat")
    assert wrong.status_code == 405
    assert wrong.json() == {"error": "core.http.405", "message": "这个地址不支持这种请求方法。"}


def test_http_exception_detail_is_kept_in_the_message(client: TestClient) -> None:
    response = client.get("/api/v1/me/tokens", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"error", "message"} and body["error"] == "core.http.401"
    assert "invalid API token" in body["message"]


def test_an_unknown_status_is_a_catalogued_422(client: TestClient) -> None:
    """It was an HTTPException's English sentence (tester s25 F-25)."""
    sign_in(client)
    response = client.get("/api/v1/feedback/items", params={"status": "nope"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "feedback.error.unknown_status" and "「nope」" in body["message"]


def test_domain_errors_keep_their_key(client: TestClient) -> None:
    sign_in(client)
    response = client.get("/api/v1/feedback/items/4242")
    assert response.status_code == 404
    assert response.json()["error"] == "feedback.error.not_found"


def test_unknown_dashboard_url_is_an_html_page(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/no/such/page", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "找不到这个地址。" in page.text and "<html" in page.text
    # an API path stays JSON even for a browser
    api = client.get("/api/v1/nothing", headers={"Accept": "text/html"})
    assert api.headers["content-type"].startswith("application/json")
