"""Issue 11 (sign-in): Feishu OAuth for the dashboard opened in Feishu's workbench, against a
local fake of Feishu's authorize page, v2 token endpoint and user_info."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member
from teamassist.web.app import create_app
from tests.conftest import load_demo, make_runtime
from tests.platforms.fakes.feishu_oauth import APP_ID, APP_SECRET, FakeFeishuOAuth, FeishuUser

TENANT = "tenant-oauth"
ZHANGSAN = FeishuUser(open_id="ou_zhangsan", tenant_key=TENANT, name="张三")


@pytest.fixture
def fake() -> Iterator[FakeFeishuOAuth]:
    running = FakeFeishuOAuth().start()
    yield running
    running.stop()


@pytest.fixture
def runtime(sqlite_url: str, clock: FrozenClock, fake: FakeFeishuOAuth) -> Iterator[Runtime]:
    rt = make_runtime(
        sqlite_url,
        clock,
        feishu={
            "enabled": True,
            "app_id": APP_ID,
            "app_secret": APP_SECRET,
            "verification_token": "v",
            "encrypt_key": "e",
            "domain": fake.url,
        },
        web={
            "public_url": "http://dash.test",
            "feishu_authorize_url": f"{fake.url}/open-apis/authen/v1/authorize",
        },
    )
    load_demo(rt)
    with transaction(rt.factory) as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        team_service.bind_tenant(session, workspace=ws, platform="feishu", tenant_key=TENANT)
        member = team_service.get_member_by_handle(session, workspace_id=ws.id, handle="zhangsan")
        assert member is not None
        team_service.add_identity(
            session, member=member, platform="feishu", tenant_key=TENANT, user_key="ou_zhangsan"
        )
    yield rt
    rt.close()


def _start(browser: TestClient, fake: FakeFeishuOAuth) -> str:
    """Open /auth/feishu; returns the state Feishu is asked to hand back."""
    started = browser.get("/auth/feishu", follow_redirects=False)
    assert started.status_code == 303
    target = urlsplit(started.headers["location"])
    assert f"{target.scheme}://{target.netloc}" == fake.url
    assert target.path == "/open-apis/authen/v1/authorize"
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["client_id"] == APP_ID
    assert query["redirect_uri"] == "http://dash.test/auth/feishu/callback"
    return query["state"]


def test_feishu_user_signs_in_as_their_member(runtime: Runtime, fake: FakeFeishuOAuth) -> None:
    with TestClient(create_app(runtime, start_background=False)) as browser:
        assert "用飞书登录" in browser.get("/login").text
        state = _start(browser, fake)
        code = fake.code_for(ZHANGSAN)
        done = browser.get(
            "/auth/feishu/callback", params={"code": code, "state": state}, follow_redirects=False
        )
        assert done.status_code == 303 and done.headers["location"] == "/"
        me = browser.get("/api/v1/me").json()
        assert me["handle"] == "zhangsan" and me["owner"] is False
    [exchange] = fake.token_requests
    assert exchange == {
        "grant_type": "authorization_code",
        "client_id": APP_ID,
        "client_secret": APP_SECRET,
        "code": code,
        "redirect_uri": "http://dash.test/auth/feishu/callback",
    }


def test_a_wrong_or_missing_state_is_refused_before_feishu_is_asked(
    runtime: Runtime, fake: FakeFeishuOAuth
) -> None:
    with TestClient(create_app(runtime, start_background=False)) as browser:
        _start(browser, fake)
        code = fake.code_for(ZHANGSAN)
        forged = browser.get("/auth/feishu/callback", params={"code": code, "state": "forged"})
        assert forged.status_code == 400 and "不是从这里发起" in forged.text
        # the state is spent by the attempt: replaying the right one later fails too
        assert browser.get("/auth/feishu/callback", params={"code": code}).status_code == 400
        assert browser.get("/api/v1/me").status_code == 401
    with TestClient(create_app(runtime, start_background=False)) as fresh:
        no_state = fresh.get("/auth/feishu/callback", params={"code": code, "state": "x"})
        assert no_state.status_code == 400
    assert fake.token_requests == []


@pytest.mark.parametrize(
    ("user", "status", "text"),
    [
        (FeishuUser("ou_stranger", TENANT, "路人"), 403, "找不到你的飞书身份"),
        (FeishuUser("ou_zhangsan", "tenant-unbound", "张三"), 403, "还没有绑定到任何工作区"),
    ],
)
def test_unknown_people_and_unbound_tenants_are_refused(
    runtime: Runtime, fake: FakeFeishuOAuth, user: FeishuUser, status: int, text: str
) -> None:
    with TestClient(create_app(runtime, start_background=False)) as browser:
        state = _start(browser, fake)
        answer = browser.get(
            "/auth/feishu/callback", params={"code": fake.code_for(user), "state": state}
        )
        assert answer.status_code == status and text in answer.text
        assert browser.get("/api/v1/me").status_code == 401


def test_a_code_feishu_refuses_and_a_deactivated_member(
    runtime: Runtime, fake: FakeFeishuOAuth
) -> None:
    with TestClient(create_app(runtime, start_background=False)) as browser:
        state = _start(browser, fake)
        refused = browser.get("/auth/feishu/callback", params={"code": "made-up", "state": state})
        assert refused.status_code == 502 and "飞书登录没有成功" in refused.text
        with transaction(runtime.factory) as session:
            ws = team_service.get_workspace_by_key(session, key="demo")
            assert ws is not None
            member = team_service.get_member_by_handle(
                session, workspace_id=ws.id, handle="zhangsan"
            )
            assert isinstance(member, Member)
            member.active, member.deactivated_at = False, runtime.clock()  # left now
        state = _start(browser, fake)
        gone = browser.get(
            "/auth/feishu/callback", params={"code": fake.code_for(ZHANGSAN), "state": state}
        )
        assert gone.status_code == 403
        assert browser.get("/api/v1/me").status_code == 401


def test_feishu_sign_in_is_off_without_feishu(sqlite_runtime: Runtime) -> None:
    with TestClient(create_app(sqlite_runtime, start_background=False)) as browser:
        assert browser.get("/auth/feishu").status_code == 404
        assert "用飞书登录" not in browser.get("/login").text
