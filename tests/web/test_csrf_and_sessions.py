"""Issue #10 E: forged cross-site requests are refused, and logging out really ends a session.

A cross-site POST with the admin's cookie acknowledged an item; a copied session cookie still
worked after logout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.feedback.support import items
from tests.support.chat import ChatDriver
from tests.support.web import give_account, sign_in

CSRF_REFUSAL = "这个请求没有通过安全校验（页面可能已过期，或来自其他网站）。请刷新页面后重试。"


@pytest.fixture
def item_id(sqlite_runtime: Runtime) -> int:
    load_demo(sqlite_runtime)
    ChatDriver(sqlite_runtime).text("/问题反馈 跨站请求", as_="zhangsan")
    return items(sqlite_runtime)[-1].id


@pytest.fixture
def admin(sqlite_runtime: Runtime, item_id: int) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def _status(runtime: Runtime) -> str:
    return items(runtime)[-1].status


def test_cross_site_post_with_the_admins_cookie_is_refused(
    admin: TestClient, sqlite_runtime: Runtime, item_id: int
) -> None:
    token = admin.headers.pop("X-CSRF-Token")
    # what a page on evil.example makes the browser send: the cookie, its Origin, no token
    forged = admin.post(
        f"/feedback/items/{item_id}/acknowledge",
        data={"note": "pwned"},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert forged.json() == {"error": "core.error.csrf", "message": CSRF_REFUSAL}
    # even with a stolen token, another site's Origin (or Referer) is refused
    for header in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"}):
        refused = admin.post(
            f"/feedback/items/{item_id}/acknowledge",
            data={"csrf_token": token},
            headers=header,
            follow_redirects=False,
        )
        assert refused.status_code == 403
    # without any token (a same-site tool that never saw the page) also refused
    assert (
        admin.post(f"/feedback/items/{item_id}/acknowledge", follow_redirects=False).status_code
        == 403
    )
    assert _status(sqlite_runtime) == "open"
    # the dashboard's own form: same Origin and the page's token
    done = admin.post(
        f"/feedback/items/{item_id}/acknowledge",
        data={"csrf_token": token},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert _status(sqlite_runtime) == "acknowledged"


def test_cookie_json_requests_need_the_header_too(admin: TestClient) -> None:
    token = admin.headers.pop("X-CSRF-Token")
    refused = admin.post("/api/v1/chat", json={"text": "/我是谁"})
    assert refused.status_code == 403
    ok = admin.post("/api/v1/chat", json={"text": "/我是谁"}, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200
    assert admin.post("/chat/send", data={"text": "/帮助"}).status_code == 403
    htmx = admin.post("/chat/send", data={"text": "/帮助"}, headers={"X-CSRF-Token": token})
    assert htmx.status_code == 200


def test_every_post_form_and_htmx_carry_the_token(admin: TestClient, item_id: int) -> None:
    token = admin.headers["X-CSRF-Token"]
    page = admin.get(f"/feedback/items/{item_id}").text
    forms = re.findall(r'<form method="post"[^>]*>(.{0,200})', page)
    assert len(forms) >= 4  # the item's actions and logout
    assert all(f'name="csrf_token" value="{token}"' in form for form in forms)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page


def test_bearer_token_requests_are_exempt(sqlite_runtime: Runtime, item_id: int) -> None:
    sqlite_runtime.settings.web.api_token = SecretStr("script-token-123")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        response = client.post(
            f"/api/v1/feedback/items/{item_id}/acknowledge",
            json={},
            headers={"Authorization": "Bearer script-token-123"},
        )
        assert response.status_code == 200


def test_login_from_another_site_is_refused(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        response = client.post(
            "/login",
            data={"username": "admin", "password": "admin"},
            headers={"Origin": "https://evil.example"},
            follow_redirects=False,
        )
        assert response.status_code == 403
        assert client.get("/api/v1/teams").status_code == 401


def test_copied_cookie_dies_with_logout(admin: TestClient, sqlite_runtime: Runtime) -> None:
    copied = dict(admin.cookies)
    assert admin.get("/api/v1/teams").status_code == 200
    assert admin.post("/logout", follow_redirects=False).status_code == 303
    with TestClient(create_app(sqlite_runtime, start_background=False)) as thief:
        thief.cookies.update(copied)
        assert thief.get("/api/v1/teams").status_code == 401
        page = thief.get("/", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login"


def test_password_change_ends_every_session(admin: TestClient, sqlite_runtime: Runtime) -> None:
    assert admin.get("/api/v1/teams").status_code == 200
    give_account(sqlite_runtime, "admin", "a-new-password")
    assert admin.get("/api/v1/teams").status_code == 401
    sign_in(admin, "admin", "a-new-password")
    assert admin.get("/api/v1/teams").status_code == 200
