"""Bindings over REST: codes, the list, unbinding, the platforms' real chats as channels; admins
only, and another workspace's binding is not found."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.team import binding
from teamassist.team import service as team_service
from teamassist.team.models import BindingCode, PlatformTenant
from teamassist.web.app import create_app
from tests.conftest import bind_tenant, load_demo
from tests.support.web import BROWSER, csrf_token, give_account, sign_in
from tests.team.support import second_team


@pytest.fixture
def http(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def test_an_admin_creates_a_code_only_its_hash_is_kept(
    http: TestClient, sqlite_runtime: Runtime, clock: FrozenClock
) -> None:
    response = http.post("/api/v1/bindings/codes", json={"platform": "qq"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["workspace_key"] == "demo" and body["platform"] == "qq"
    assert len(body["code"]) == binding.CODE_LENGTH
    assert body["expires_at"].startswith((clock() + timedelta(minutes=30)).isoformat()[:16])
    with sqlite_runtime.factory() as session:
        row = session.scalar(select(BindingCode))
        assert (
            row is not None and row.code_hash != body["code"] and body["code"] not in row.code_hash
        )
    # a code for a platform that is never bound is refused
    refused = http.post("/api/v1/bindings/codes", json={"platform": "wecom"})
    assert refused.status_code == 400


def test_list_and_unbind(http: TestClient, sqlite_runtime: Runtime) -> None:
    bind_tenant(sqlite_runtime, "qq", "g-1", kind="guild")
    [row] = http.get("/api/v1/bindings").json()
    assert (row["platform"], row["tenant_key"], row["kind"]) == ("qq", "g-1", "guild")
    assert http.delete(f"/api/v1/bindings/{row['id']}").status_code == 204
    assert http.get("/api/v1/bindings").json() == []
    with sqlite_runtime.factory() as session:
        assert team_service.resolve_workspace(session, platform="qq", tenant_key="g-1") is None


def test_another_workspaces_binding_is_not_found(
    http: TestClient, sqlite_runtime: Runtime, clock: FrozenClock
) -> None:
    with transaction(sqlite_runtime.factory) as session:
        other = team_service.create_workspace(session, key="other", name="别人")
        team_service.create_team(
            session, workspace=other, key="t", name="别队", timezone="Asia/Shanghai"
        )
    bind_tenant(sqlite_runtime, "qq", "g-other", kind="guild", workspace="other")
    with sqlite_runtime.factory() as session:
        theirs = session.scalar(select(PlatformTenant))
        assert theirs is not None
    assert http.get("/api/v1/bindings").json() == []
    assert http.delete(f"/api/v1/bindings/{theirs.id}").status_code == 404
    with sqlite_runtime.factory() as session:
        assert session.get(PlatformTenant, theirs.id) is not None


def test_members_may_not_manage_bindings(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    password = give_account(sqlite_runtime, "zhangsan")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client, "zhangsan", password)
        assert client.post("/api/v1/bindings/codes", json={}).status_code == 403
        assert client.get("/api/v1/bindings").status_code == 403
        assert client.get("/api/v1/platform-chats").status_code == 403


def test_platform_chats_without_platforms_are_empty_and_unknown_chats_refused(
    http: TestClient, sqlite_runtime: Runtime
) -> None:
    bind_tenant(sqlite_runtime, "qq", "G-1", kind="group")
    # a QQ group is one chat, itself, even without asking QQ
    chats = http.get("/api/v1/platform-chats").json()
    assert chats == [
        {"platform": "qq", "tenant_key": "G-1", "address": "group:G-1", "name": "", "kind": "group"}
    ]
    made = http.post(
        "/api/v1/platform-chats/channels",
        json={"platform": "qq", "address": "group:G-1", "purpose": "team", "name": "团队群"},
    )
    assert made.status_code == 201, made.text
    assert (made.json()["address"], made.json()["purpose"]) == ("group:G-1", "team")
    again = http.post(
        "/api/v1/platform-chats/channels",
        json={"platform": "qq", "address": "group:G-1", "purpose": "team"},
    )
    assert again.status_code == 409
    outside = http.post(
        "/api/v1/platform-chats/channels",
        json={"platform": "qq", "address": "group:NOT-OURS", "purpose": "public"},
    )
    assert outside.status_code == 400 and "不是本工作区已绑定的平台里的会话" in outside.text


def test_the_bindings_page_shows_a_code_lists_and_unbinds(
    http: TestClient, sqlite_runtime: Runtime
) -> None:
    bind_tenant(sqlite_runtime, "qq", "G-7", kind="group")
    page = http.get("/bindings")
    assert page.status_code == 200
    assert "平台绑定" in page.text and "G-7" in page.text and "QQ 群" in page.text
    made = http.post("/bindings/codes", data={"platform": "feishu"})
    assert made.status_code == 200 and "只显示这一次" in made.text
    with sqlite_runtime.factory() as session:
        row = session.scalar(select(BindingCode))
        assert row is not None and row.platform == "feishu"
    # the listed QQ group becomes the team group channel from the picker
    picked = http.post(
        "/bindings/channels",
        data={"platform": "qq", "address": "group:G-7", "purpose": "team", "name": ""},
        follow_redirects=False,
    )
    assert picked.status_code == 303
    assert any(c["address"] == "group:G-7" for c in http.get("/api/v1/channels").json())
    with sqlite_runtime.factory() as session:
        tenant = session.scalar(select(PlatformTenant))
        assert tenant is not None
    gone = http.post(f"/bindings/{tenant.id}/unbind", follow_redirects=False)
    assert gone.status_code == 303
    assert "G-7" not in http.get("/bindings").text.split("平台会话")[0]


def test_another_teams_admin_may_not_manage_the_workspaces_bindings(
    sqlite_runtime: Runtime,
) -> None:
    """Tester s24 F3: 第二团队's admin unbound the workspace's QQ group and made binding codes;
    bindings are the whole workspace's, so only an admin of its default team manages them."""
    load_demo(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        second_team(session)
    bind_tenant(sqlite_runtime, "qq", "GROUP123", kind="group")
    with sqlite_runtime.factory() as session:
        bound = session.scalar(select(PlatformTenant))
        assert bound is not None
    app = create_app(sqlite_runtime, start_background=False)
    with TestClient(app) as boss2:
        sign_in(boss2, "boss2", give_account(sqlite_runtime, "boss2"))
        assert boss2.get("/api/v1/bindings").status_code == 403
        assert boss2.get("/api/v1/platform-chats").status_code == 403
        assert boss2.post("/api/v1/bindings/codes", json={}).status_code == 403
        # the route takes no team from the query: naming one is refused as such (s28 E-4)
        named = boss2.post("/api/v1/bindings/codes?team_id=1", json={})
        assert named.status_code == 422, named.text
        assert named.json()["error"] == "core.error.unknown_query_write"
        assert boss2.delete(f"/api/v1/bindings/{bound.id}").status_code == 403
        assert boss2.get("/bindings", headers=BROWSER).status_code == 403
        token = csrf_token(boss2)
        page_unbind = boss2.post(
            f"/bindings/{bound.id}/unbind", headers=BROWSER, data={"csrf_token": token}
        )
        assert page_unbind.status_code == 403
        assert "管理员" in page_unbind.text
    with sqlite_runtime.factory() as session:
        assert session.get(PlatformTenant, bound.id) is not None
        assert session.scalar(select(BindingCode)) is None
