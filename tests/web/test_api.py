"""REST API: sign-in, POST /api/v1/chat, people and outbox endpoints, friendly errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from teamassist.database import transaction
from teamassist.http import auth
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import sign_in


@pytest.fixture
def demo_runtime(sqlite_runtime: Runtime) -> Runtime:
    """The web layer's subject is not storage: SQLite only (storage runs on every backend)."""
    load_demo(sqlite_runtime)
    return sqlite_runtime


@pytest.fixture
def client(demo_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(demo_runtime, start_background=False)) as c:
        yield c


def _login(client: TestClient, password: str = "admin") -> None:
    sign_in(client, "admin", password)


def test_api_requires_authentication(client: TestClient) -> None:
    response = client.post("/api/v1/chat", json={"text": "/帮助"})
    assert response.status_code == 401


def test_wrong_password_is_refused(client: TestClient) -> None:
    response = client.post("/login", data={"username": "admin", "password": "nope"})
    assert response.status_code == 200 and "账号或密码不正确" in response.text
    assert client.post("/api/v1/chat", json={"text": "/帮助"}).status_code == 401


def test_chat_endpoint_uses_the_dispatcher(client: TestClient) -> None:
    _login(client)
    body = client.post("/api/v1/chat", json={"text": "/帮助", "as": "zhangsan"}).json()
    assert body["handled"] is True
    assert "小助理指令帮助" in body["text"] and "<strong>" in body["html"]
    who = client.post("/api/v1/chat", json={"text": "/我是谁", "as": "zhangsan"}).json()
    assert "张三" in who["text"]


def test_chat_retry_with_same_event_id_answers_once(client: TestClient) -> None:
    _login(client)
    first = client.post("/api/v1/chat", json={"text": "/我是谁", "event_id": "web-1"}).json()
    second = client.post("/api/v1/chat", json={"text": "/我是谁", "event_id": "web-1"}).json()
    # Issue #10 G: the retry replays the original reply (it used to answer an empty one).
    assert first["handled"] and not first["duplicate"] and first["text"]
    assert second == {**first, "duplicate": True}


def test_chat_bad_input_is_a_clear_error(client: TestClient) -> None:
    _login(client)
    assert client.post("/api/v1/chat", json={"text": ""}).status_code == 422
    unknown = client.post("/api/v1/chat", json={"text": "/帮助", "as": "ghost"})
    assert unknown.status_code == 404
    assert "找不到成员" in unknown.json()["message"]
    # "as": "" spoke as the signed-in owner (session 14 tester): leave the field out for that
    empty = client.post("/api/v1/chat", json={"text": "/我是谁", "as": ""})
    assert empty.status_code == 422 and "as" in empty.text


def test_api_token_and_members(demo_runtime: Runtime) -> None:
    demo_runtime.settings.web.api_token = SecretStr("s3cret-token")
    with TestClient(create_app(demo_runtime, start_background=False)) as client:
        headers = {"Authorization": "Bearer s3cret-token"}
        teams = client.get("/api/v1/teams", headers=headers).json()
        assert teams[0]["timezone"] == "Asia/Shanghai"
        members = client.get(f"/api/v1/teams/{teams[0]['id']}/members", headers=headers).json()
        assert {m["handle"] for m in members} >= {"admin", "zhangsan"}
        created = client.post(
            f"/api/v1/teams/{teams[0]['id']}/members",
            headers=headers,
            json={"handle": "newbie", "display_name": "新人 🌱"},
        )
        assert created.status_code == 201
        clash = client.post(
            f"/api/v1/teams/{teams[0]['id']}/members",
            headers=headers,
            json={"handle": "newbie", "display_name": "again"},
        )
        # the same handle again is the same person, already in this team (c4b236f)
        assert clash.status_code == 409, clash.text
        assert "已经在「开发者社区」里了" in clash.json()["message"], clash.text
        bad = client.post(
            f"/api/v1/teams/{teams[0]['id']}/members",
            headers=headers,
            json={"handle": "has space", "display_name": "x"},
        )
        assert bad.status_code == 422
        assert (
            client.get("/api/v1/teams", headers={"Authorization": "Bearer nope"}).status_code == 401
        )


def test_member_cannot_speak_as_someone_else(demo_runtime: Runtime) -> None:
    with transaction(demo_runtime.factory) as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        member = team_service.get_member_by_handle(session, workspace_id=ws.id, handle="lisi")
        auth.set_password(session, username="lisi", password="pw-lisi", member=member)
    with TestClient(create_app(demo_runtime, start_background=False)) as client:
        sign_in(client, "lisi", "pw-lisi")
        own = client.post("/api/v1/chat", json={"text": "/我是谁"}).json()
        assert "李四" in own["text"]
        other = client.post("/api/v1/chat", json={"text": "/我是谁", "as": "admin"})
        assert other.status_code == 403


def test_openapi_docs_are_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/chat" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_dashboard_pages_render(client: TestClient) -> None:
    assert client.get("/", follow_redirects=False).status_code == 303
    _login(client)
    for path in ("/", "/chat", "/feeds", "/outbox"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "团队助理" in page.text
    fragment = client.post("/chat/send", data={"text": "/帮助", "speaker": "zhangsan"})
    assert 'data-testid="reply"' in fragment.text and "小助理指令帮助" in fragment.text


def test_chat_retry_replays_the_original_reply_once(
    client: TestClient, demo_runtime: Runtime
) -> None:
    _login(client)
    body = {"text": "/问题反馈 重试不会重复", "as": "zhangsan", "event_id": "web-retry-7"}
    first = client.post("/api/v1/chat", json=body).json()
    second = client.post("/api/v1/chat", json=body).json()
    assert first["handled"] and "重试不会重复" in first["text"]
    assert second["duplicate"] and second["text"] == first["text"]
    with demo_runtime.factory() as session:
        from sqlalchemy import func, select

        from teamassist.feedback.models import FeedbackItem

        count = session.scalar(select(func.count()).where(FeedbackItem.text == "重试不会重复"))
    assert count == 1  # replayed, not run again
    # the same event id from another speaker is that speaker's own message, not a repeat
    other = client.post("/api/v1/chat", json={**body, "as": "lisi"}).json()
    assert other["handled"] and not other["duplicate"] and "重试不会重复" in other["text"]
    with demo_runtime.factory() as session:
        count = session.scalar(select(func.count()).where(FeedbackItem.text == "重试不会重复"))
    assert count == 2  # zhangsan's once, lisi's once


def test_chat_event_id_reused_for_another_text_is_refused(
    client: TestClient, demo_runtime: Runtime
) -> None:
    """Session 14's testers: the same ``event_id`` with another text silently answered the
    first reply, and the second message was lost without a word."""
    from sqlalchemy import func, select

    from teamassist.chat.models import InboundEvent
    from teamassist.feedback.models import FeedbackItem

    _login(client)
    body = {"text": "/问题反馈 第一条", "as": "zhangsan", "event_id": "web-reuse-1"}
    first = client.post("/api/v1/chat", json=body)
    assert first.status_code == 200 and "第一条" in first.json()["text"]
    # when the client sends another message under the same key
    reused = client.post("/api/v1/chat", json={**body, "text": "/问题反馈 第二条"})
    # then it is refused, clearly, and nothing is done
    assert reused.status_code == 422, reused.text
    assert reused.json()["error"] == "core.error.event_id_reused"
    assert "event_id" in reused.json()["message"] and "原样" in reused.json()["message"]
    with demo_runtime.factory() as session:
        texts = session.scalars(select(FeedbackItem.text).where(FeedbackItem.text.like("第%条")))
        assert list(texts) == ["第一条"]
        assert session.scalar(select(func.count()).select_from(InboundEvent)) == 1
    # and a real retry (the same text) still replays the first reply
    again = client.post("/api/v1/chat", json=body)
    assert again.status_code == 200 and again.json() == {**first.json(), "duplicate": True}
