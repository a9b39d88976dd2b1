"""Issue 11 (sign-in): ``/登录`` sends a one-time link privately; opening it asks to confirm;
the confirming POST spends it and starts a member session that expires."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.chat.render import to_plain
from teamassist.chat.types import ChatType, Reply
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.enums import Platform
from teamassist.http import signin
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member, SignInLink, WebSession
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.chat import ChatDriver

LINK = re.compile(r"http://[^\s]+/auth/link/([A-Za-z0-9_-]+)")


@pytest.fixture
def demo(sqlite_runtime: Runtime) -> Runtime:
    load_demo(sqlite_runtime)
    return sqlite_runtime


@pytest.fixture
def browser(demo: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(demo, start_background=False)) as client:
        yield client


def _member(runtime: Runtime, handle: str) -> Member:
    with runtime.factory() as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        member = team_service.get_member_by_handle(session, workspace_id=ws.id, handle=handle)
        assert member is not None
        return member


def _link_from_web_chat(runtime: Runtime, handle: str = "zhangsan") -> str:
    reply = ChatDriver(runtime).text("/登录", as_=handle)
    found = LINK.search(reply)
    assert found, reply
    return found.group(1)


def _spent(runtime: Runtime) -> list[SignInLink]:
    with runtime.factory() as session:
        return list(session.scalars(select(SignInLink).where(SignInLink.used_at.is_not(None))))


def _confirm(client: TestClient, token: str) -> tuple[int, str]:
    page = client.get(f"/auth/link/{token}")
    form = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert page.status_code == 200 and form, page.text
    done = client.post(
        f"/auth/link/{token}", data={"csrf_token": form.group(1)}, follow_redirects=False
    )
    return done.status_code, done.text


def test_web_chat_login_link_signs_the_member_in_once(demo: Runtime, browser: TestClient) -> None:
    reply = ChatDriver(demo).text("/login", as_="zhangsan")  # the English alias
    assert "10 分钟" in reply and "/auth/link/" in reply
    token = LINK.search(reply).group(1)  # type: ignore[union-attr]
    # a link previewer (or the member) opening the link spends nothing
    for _ in range(3):
        page = browser.get(f"/auth/link/{token}")
        assert page.status_code == 200 and "张三" in page.text
    assert _spent(demo) == []
    status, _ = _confirm(browser, token)
    assert status == 303
    me = browser.get("/api/v1/me").json()
    assert me["handle"] == "zhangsan" and me["owner"] is False
    assert [r["role"] for r in me["roles"]] == ["member"]
    assert len(_spent(demo)) == 1
    with demo.factory() as session:
        row = session.scalars(select(WebSession)).one()
        assert row.member_id == me["member_id"] and row.account_id is None
        assert row.expires_at == demo.clock() + timedelta(days=14)
    # the same link again, in another browser: a clear page, no second session
    with TestClient(create_app(demo, start_background=False)) as other:
        again = other.get(f"/auth/link/{token}")
        assert again.status_code == 410 and "已经用过" in again.text
        assert other.get("/api/v1/me").status_code == 401
    with demo.factory() as session:
        assert len(session.scalars(select(WebSession)).all()) == 1


def test_expired_and_unknown_links_change_nothing(
    demo: Runtime, browser: TestClient, clock: FrozenClock
) -> None:
    token = _link_from_web_chat(demo)
    page = browser.get(f"/auth/link/{token}")
    form = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert form
    clock.set(clock() + timedelta(minutes=10))
    expired = browser.post(f"/auth/link/{token}", data={"csrf_token": form.group(1)})
    assert expired.status_code == 410 and "已过期" in expired.text
    assert browser.get(f"/auth/link/{token}").status_code == 410
    unknown = browser.get("/auth/link/not-a-real-token")
    assert unknown.status_code == 404 and "无效" in unknown.text
    assert (
        browser.post("/auth/link/not-a-real-token", data={"csrf_token": form.group(1)}).status_code
        == 404
    )
    assert _spent(demo) == []
    assert browser.get("/api/v1/me").status_code == 401


def test_confirming_needs_the_pages_form_token(demo: Runtime, browser: TestClient) -> None:
    token = _link_from_web_chat(demo)
    # a forged form from elsewhere: no token of this browser's confirm page
    forged = browser.post(f"/auth/link/{token}", data={"csrf_token": "guess"})
    assert forged.status_code == 403 and "页面已过期" in forged.text
    assert _spent(demo) == [] and browser.get("/api/v1/me").status_code == 401
    assert _confirm(browser, token)[0] == 303


def test_a_group_gets_only_a_notice_and_the_link_goes_privately(demo: Runtime) -> None:
    member = _member(demo, "zhangsan")
    with transaction(demo.factory) as session:
        row = session.get(Member, member.id)
        assert row is not None
        team_service.add_identity(
            session, member=row, platform="qq", tenant_key="guild-1", user_key="qq-zs"
        )
        team_service.add_identity(
            session, member=row, platform="feishu", tenant_key="tenant-1", user_key="ou_zs"
        )
    chat = ChatDriver(demo)
    for platform, tenant, user_key in (
        (Platform.QQ, "guild-1", "qq-zs"),
        (Platform.FEISHU, "tenant-1", "ou_zs"),
    ):
        reply = chat.text(
            "/登录",
            as_=user_key,
            platform=platform,
            tenant_key=tenant,
            chat_key=f"{platform.value}-group",
            chat_type=ChatType.GROUP,
        )
        assert reply.startswith("已私信发送"), reply
        assert "/auth/link/" not in reply
        with_link = [
            m for m in chat.queued() if LINK.search(to_plain(Reply.model_validate(m.payload)))
        ]
        # the one notice carrying a link is a direct message to the sender on that platform
        mine = [m for m in with_link if m.platform == platform.value]
        assert [(m.address, m.channel_id) for m in mine] == [(user_key, None)]


def test_a_direct_chat_on_a_platform_answers_with_the_link(demo: Runtime) -> None:
    reply = ChatDriver(demo).text(
        "/登录",
        as_="ou_new",
        platform=Platform.FEISHU,
        tenant_key="tenant-1",
        chat_key="p2p-1",
        chat_type=ChatType.DIRECT,
    )
    assert LINK.search(reply), reply


def test_member_sessions_expire_after_session_days(
    demo: Runtime, browser: TestClient, clock: FrozenClock
) -> None:
    demo.settings.web.session_days = 2
    assert _confirm(browser, _link_from_web_chat(demo))[0] == 303
    assert browser.get("/api/v1/me").status_code == 200
    clock.set(clock() + timedelta(days=2) - timedelta(seconds=1))
    assert browser.get("/api/v1/me").status_code == 200  # absolute: use does not extend it
    clock.set(clock() + timedelta(seconds=1))
    assert browser.get("/api/v1/me").status_code == 401
    page = browser.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"


def test_a_deactivated_member_cannot_use_a_link(demo: Runtime, browser: TestClient) -> None:
    token = _link_from_web_chat(demo, "lisi")
    with transaction(demo.factory) as session:
        member = session.get(Member, _member(demo, "lisi").id)
        assert member is not None
        member.active, member.deactivated_at = False, demo.clock()  # left now
    assert browser.get(f"/auth/link/{token}").status_code == 404
    assert _spent(demo) == []


def test_rest_sends_a_member_a_link_privately(demo: Runtime, browser: TestClient) -> None:
    from tests.support.web import sign_in

    member = _member(demo, "wangwu")
    sign_in(browser)
    sent = browser.post("/api/v1/auth/sign-in-links", json={"member_id": member.id})
    assert sent.status_code == 202, sent.text
    assert "/auth/link/" not in sent.text  # the admin never sees the link
    inbox = ChatDriver(demo).queued_texts(f"member:{member.id}")
    assert len(inbox) == 1 and LINK.search(inbox[0])


def test_an_admin_speaking_for_a_member_never_sees_their_link(
    demo: Runtime, browser: TestClient
) -> None:
    """Web chat / REST let an admin speak as another member: their /登录 goes to that member
    privately, and the reply only says so (the breaker signed in as alice this way)."""
    from tests.support.web import sign_in

    member = _member(demo, "wangwu")
    sign_in(browser)
    answer = browser.post("/api/v1/chat", json={"text": "/登录", "as": "wangwu"})
    assert answer.status_code == 200, answer.text
    assert "/auth/link/" not in answer.text and answer.json()["text"].startswith("已私信发送")
    inbox = ChatDriver(demo).queued_texts(f"member:{member.id}")
    assert len(inbox) == 1 and LINK.search(inbox[0])
    # speaking as oneself still answers with the link
    own = browser.post("/api/v1/chat", json={"text": "/登录"}).json()["text"]
    assert LINK.search(own), own


def test_concurrent_confirmations_start_exactly_one_session(runtime: Runtime) -> None:
    """Every backend: eight threads spend one link at once; exactly one wins."""
    load_demo(runtime)
    member = _member(runtime, "zhangsan")
    with transaction(runtime.factory) as session:
        row = session.get(Member, member.id)
        assert row is not None
        token = signin.issue(session, member=row, now=runtime.clock(), public_url="http://x")
    raw = token.url.rsplit("/", 1)[1]
    barrier = threading.Barrier(8)
    outcomes: list[signin.LinkState] = []
    errors: list[BaseException] = []

    def confirm() -> None:
        try:
            barrier.wait()
            with transaction(runtime.factory) as session:
                state, who = signin.redeem(session, raw=raw, now=runtime.clock())
                if who is not None:
                    session.add(
                        WebSession(
                            id_hash=f"h{threading.get_ident()}",
                            member_id=who.id,
                            created_at=runtime.clock(),
                        )
                    )
            outcomes.append(state)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=confirm) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(outcomes).count(signin.LinkState.VALID) == 1
    assert outcomes.count(signin.LinkState.USED) == 7
    with runtime.factory() as session:
        assert len(session.scalars(select(WebSession)).all()) == 1
