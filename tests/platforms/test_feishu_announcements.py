"""Issue 13: announcements and the seed's director grammar through the real Feishu webhook
(signed, encrypted events) to the fake Open API: what Feishu receives (group posts with native
mentions, DMs), and a redelivered event acted on once."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.adapters.feishu.webhook import EVENTS_PATH
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import bind_tenant, load_demo, make_runtime
from tests.okr.support import set_clock
from tests.outreach.support import CORE_CHAT, set_up_groups
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes.feishu import Call, FakeFeishu

OPEN_IDS = {"lihua": "ou_lihua", "zhangsan": "ou_zhangsan", "lisi": "ou_lisi"}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeFeishu]:
    server = FakeFeishu().start()
    yield server
    server.stop()


@pytest.fixture
def feishu(fake: FakeFeishu, sqlite_url: str, clock: FrozenClock) -> Iterator[TestClient]:
    """The demo on Feishu: 李华 directs it; 产品核心群 (oc_core: 张三, 李四) and 开发者大群."""
    fake.reset()
    runtime = make_runtime(
        sqlite_url,
        clock,
        feishu={
            "enabled": True,
            "app_id": f"cli_{uuid.uuid4().hex[:12]}",  # lark-oapi caches tokens per app id
            "app_secret": fk.APP_SECRET,
            "encrypt_key": fk.ENCRYPT_KEY,
            "verification_token": fk.VERIFICATION_TOKEN,
            "domain": fake.url,
            "bot_open_id": "ou_bot",
        },
    )
    load_demo(runtime)
    set_clock(runtime, "2026-11-30 09:00")
    set_up_groups(runtime, platform="feishu")
    bind_tenant(runtime, "feishu", fk.TENANT_KEY, kind="tenant")
    with transaction(runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        for handle, open_id in OPEN_IDS.items():
            member = team_service.get_member_by_handle(
                session, workspace_id=workspace.id, handle=handle
            )
            assert member is not None
            team_service.add_identity(
                session,
                member=member,
                platform="feishu",
                tenant_key=fk.TENANT_KEY,
                user_key=open_id,
            )
    with TestClient(create_app(runtime, start_background=False)) as http:
        http.app.state.test_runtime = runtime  # type: ignore[attr-defined]
        yield http
    runtime.close()


def _dm(http: TestClient, text: str, *, event_id: str, sender: str = "ou_lihua") -> None:
    """The director writes ``text`` to the bot in their 1:1 chat, as Feishu posts it."""
    runtime: Runtime = http.app.state.test_runtime  # type: ignore[attr-defined]
    event = fk.message_event(
        text,
        sender=sender,
        chat_id="oc_p2p_lihua",
        chat_type="p2p",
        message_id=f"om_{event_id}",
        event_id=event_id,
    )
    body, headers = fk.signed(event, timestamp=runtime.clock().timestamp())
    assert http.post(EVENTS_PATH, content=body, headers=headers).status_code == 200


def _delivered(http: TestClient, fake: FakeFeishu) -> list[Call]:
    runtime: Runtime = http.app.state.test_runtime  # type: ignore[attr-defined]
    runtime.deliver()
    return fake.messages()


def _text(call: Call) -> str:
    return json.dumps(call.content, ensure_ascii=False)


def _to_chat(calls: list[Call], chat_id: str) -> list[Call]:
    return [
        c
        for c in calls
        if c.query.get("receive_id_type") == "chat_id" and c.body.get("receive_id") == chat_id
    ]


def _dms(calls: list[Call]) -> dict[str, Call]:
    return {c.body["receive_id"]: c for c in calls if c.query.get("receive_id_type") == "open_id"}


def test_notice_reaches_the_group_with_a_native_mention_once(
    feishu: TestClient, fake: FakeFeishu
) -> None:
    # when the director announces to the core group naming 李四, and Feishu redelivers it
    _dm(feishu, "/通知 产品核心群 @李四 请今天提交 Q4 预算 🙏", event_id="ev_notice")
    _dm(feishu, "/通知 产品核心群 @李四 请今天提交 Q4 预算 🙏", event_id="ev_notice")
    calls = _delivered(feishu, fake)
    # then the group got one post with 李四's native mention, and the director one answer
    [post] = _to_chat(calls, CORE_CHAT)
    assert "<at id=ou_lisi></at>" in _text(post) and "请今天提交 Q4 预算 🙏" in _text(post)
    [answer] = [c for c in calls if c.path.endswith("/om_ev_notice/reply")]
    assert "已排队通知 #1" in _text(answer)
    assert len(calls) == 2


def test_bulk_notice_dms_every_member_of_the_group(feishu: TestClient, fake: FakeFeishu) -> None:
    # when the director sends a 群发 to the core group
    _dm(feishu, "/群发 产品核心群 明天放假", event_id="ev_bulk")
    calls = _delivered(feishu, fake)
    # then each core member got a DM, and nothing was posted to the group
    dms = _dms(calls)
    assert set(dms) == {"ou_zhangsan", "ou_lisi"}
    assert all("明天放假" in _text(c) for c in dms.values())
    assert _to_chat(calls, CORE_CHAT) == []


def test_director_grammar_posts_mentions_and_opens_items_once(
    feishu: TestClient, fake: FakeFeishu
) -> None:
    text = "###产品核心群###@@@李四@@@$$$202612041800$$$提交Q4预算"
    # when the seed's form arrives three times under one event id
    for _ in range(3):
        _dm(feishu, text, event_id="ev_seed")
    calls = _delivered(feishu, fake)
    # then the group got it once, with 李四 mentioned natively and the local deadline
    [post] = _to_chat(calls, CORE_CHAT)
    assert "<at id=ou_lisi></at>" in _text(post)
    assert "12月4日18:00提交Q4预算" in _text(post)
    [answer] = [c for c in calls if c.path.endswith("/om_ev_seed/reply")]
    assert "已排队通知" in _text(answer)
    assert len(calls) == 2


def test_director_grammar_bulk_helper_dms_and_posts_nothing(
    feishu: TestClient, fake: FakeFeishu
) -> None:
    # when the seed's 群发助手 form arrives, and again under a new event id for the same message
    _dm(feishu, "###产品核心群###***群发助手***明天放假", event_id="ev_helper")
    runtime: Runtime = feishu.app.state.test_runtime  # type: ignore[attr-defined]
    event = fk.message_event(
        "###产品核心群###***群发助手***明天放假",
        sender="ou_lihua",
        chat_id="oc_p2p_lihua",
        chat_type="p2p",
        message_id="om_ev_helper",  # Feishu pushing the same message again
        event_id="ev_helper_again",
    )
    body, headers = fk.signed(event, timestamp=runtime.clock().timestamp())
    assert feishu.post(EVENTS_PATH, content=body, headers=headers).status_code == 200
    calls = _delivered(feishu, fake)
    # then each core member got one DM; the group got nothing
    dms = [c for c in calls if c.query.get("receive_id_type") == "open_id"]
    assert sorted(c.body["receive_id"] for c in dms) == ["ou_lisi", "ou_zhangsan"]
    assert all("明天放假" in _text(c) for c in dms)
    assert _to_chat(calls, CORE_CHAT) == []
