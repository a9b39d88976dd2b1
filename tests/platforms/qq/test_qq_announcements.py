"""Issue 13: announcements and the seed's director grammar through the real QQ webhook (ed25519
signed callbacks) to the fake QQ open platform: what QQ receives (a group post with QQ's native
mention, C2C DMs), and a redelivered event acted on once."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from teamassist.adapters import webhook_kit
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.team import service as team_service
from teamassist.team.models import Channel
from tests.okr.support import set_clock
from tests.outreach.support import CORE_CHAT, TEAM_CHAT, set_up_groups
from tests.platforms.fakes import qq as fakeqq
from tests.platforms.fakes.qq import Call
from tests.platforms.qq.conftest import QQHarness, make_harness

CORE_GROUP = "G-CORE"  # 产品核心群 is a QQ group; its members' openids are scoped to it
DIRECTOR = "UO-LIHUA"  # 李华's C2C openid: she writes to the bot in a private chat


@pytest.fixture(autouse=True)
def _answer_after_handling(monkeypatch: pytest.MonkeyPatch) -> None:
    # The webhook answers QQ after at most ACK_SECONDS and may go on handling the command; on a
    # loaded machine deliver() could then run before the command's notices are queued.
    monkeypatch.setattr(webhook_kit, "ACK_SECONDS", 120.0)


def _identity(harness: QQHarness, handle: str, tenant_key: str, user_key: str) -> None:
    with transaction(harness.runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        member = team_service.get_member_by_handle(
            session, workspace_id=workspace.id, handle=handle
        )
        assert member is not None
        team_service.add_identity(
            session, member=member, platform="qq", tenant_key=tenant_key, user_key=user_key
        )


def _setting(harness: QQHarness) -> None:
    """李华 directs the demo team; 产品核心群 (张三, 李四 core) is a QQ group, 开发者大群 a
    guild channel."""
    set_clock(harness.runtime, "2026-11-30 09:00")
    set_up_groups(harness.runtime, platform="qq")
    with transaction(harness.runtime.factory) as session:
        core = update(Channel).where(Channel.address == CORE_CHAT)
        session.execute(core.values(address=f"group:{CORE_GROUP}"))
        session.execute(
            update(Channel).where(Channel.address == TEAM_CHAT).values(address="channel:ch-team")
        )
    _identity(harness, "lihua", harness.fake.app_id, DIRECTOR)


@pytest.fixture
def qq_team(sqlite_url: str, clock: FrozenClock, fake_qq: fakeqq.FakeQQ) -> Iterator[QQHarness]:
    """Given the demo team on QQ with its director and its two chats."""
    harness = make_harness(sqlite_url, clock, fake_qq)
    _setting(harness)
    yield harness
    harness.runtime.close()


def _dm(harness: QQHarness, text: str, *, event_id: str, message_id: str | None = None) -> None:
    """The director writes ``text`` to the bot in C2C, as QQ posts it (signed)."""
    body = fakeqq.c2c_message(
        event_id=event_id, message_id=message_id or f"m-{event_id}", text=text, user_openid=DIRECTOR
    )
    assert harness.post(body).status_code == 200


def _content(call: Call) -> str:
    return json.dumps(call.body, ensure_ascii=False)


def _markdown(call: Call) -> str:
    body = call.body
    assert isinstance(body, dict) and body.get("msg_type") == 2, body
    return str(body["markdown"]["content"])


def test_notice_reaches_the_qq_group_with_a_native_mention_once(qq_team: QQHarness) -> None:
    # given 李四 is known in the core group by his member_openid
    _identity(qq_team, "lisi", CORE_GROUP, "MO-LISI")
    # when the director announces to the core group naming 李四, and QQ redelivers the event
    _dm(qq_team, "/通知 产品核心群 @李四 请今天提交 Q4 预算 🙏", event_id="C2C:notice")
    _dm(qq_team, "/通知 产品核心群 @李四 请今天提交 Q4 预算 🙏", event_id="C2C:notice")
    qq_team.deliver()
    # then the group got one proactive post mentioning 李四 the way QQ groups do
    [post] = qq_team.fake.messages(f"/v2/groups/{CORE_GROUP}/messages")
    assert "msg_id" not in post.body
    text = _markdown(post)
    assert '<qqbot-at-user id="MO-LISI" />' in text and "请今天提交 Q4 预算 🙏" in text
    # and the director one passive answer to her message
    [answer] = qq_team.fake.messages(f"/v2/users/{DIRECTOR}/messages")
    assert answer.body["msg_id"] == "m-C2C:notice" and "已排队通知 #1" in _content(answer)
    assert len(qq_team.fake.messages()) == 2


def test_bulk_notice_dms_every_member_of_the_group(qq_team: QQHarness) -> None:
    # given 张三 and 李四 have written to the bot, so QQ lets it DM them
    _identity(qq_team, "zhangsan", qq_team.fake.app_id, "UO-ZHANG")
    _identity(qq_team, "lisi", qq_team.fake.app_id, "UO-LISI")
    # when the director sends a 群发 to the core group
    _dm(qq_team, "/群发 产品核心群 明天放假", event_id="C2C:bulk")
    qq_team.deliver()
    # then each core member got one proactive C2C message, and the group got nothing
    for openid in ("UO-ZHANG", "UO-LISI"):
        [dm] = qq_team.fake.messages(f"/v2/users/{openid}/messages")
        assert "msg_id" not in dm.body and "明天放假" in _markdown(dm)
    assert qq_team.fake.messages(f"/v2/groups/{CORE_GROUP}/messages") == []
    [answer] = qq_team.fake.messages(f"/v2/users/{DIRECTOR}/messages")
    assert answer.body["msg_id"] == "m-C2C:bulk"


def test_director_grammar_posts_the_mention_and_deadline_once(qq_team: QQHarness) -> None:
    _identity(qq_team, "lisi", CORE_GROUP, "MO-LISI")
    text = "###产品核心群###@@@李四@@@$$$202612041800$$$提交Q4预算"
    # when the seed's form arrives three times: twice under one event id, once under a new one
    _dm(qq_team, text, event_id="C2C:seed", message_id="m-seed")
    _dm(qq_team, text, event_id="C2C:seed", message_id="m-seed")
    _dm(qq_team, text, event_id="C2C:seed-again", message_id="m-seed")
    qq_team.deliver()
    # then the group got it once, 李四 mentioned natively, the deadline in Beijing time
    [post] = qq_team.fake.messages(f"/v2/groups/{CORE_GROUP}/messages")
    text_sent = _markdown(post)
    assert '<qqbot-at-user id="MO-LISI" />' in text_sent
    assert "12月4日18:00提交Q4预算" in text_sent
    [answer] = qq_team.fake.messages(f"/v2/users/{DIRECTOR}/messages")
    assert "已排队通知" in _content(answer)
    assert len(qq_team.fake.messages()) == 2


def test_director_grammar_bulk_helper_dms_and_posts_nothing(qq_team: QQHarness) -> None:
    _identity(qq_team, "zhangsan", qq_team.fake.app_id, "UO-ZHANG")
    _identity(qq_team, "lisi", qq_team.fake.app_id, "UO-LISI")
    # when the seed's 群发助手 form arrives
    _dm(qq_team, "###产品核心群###***群发助手***明天放假", event_id="C2C:helper")
    qq_team.deliver()
    # then each core member got one DM and the group nothing
    dms = [c for c in qq_team.fake.messages() if c.path.startswith("/v2/users/UO-")]
    got = sorted(c.path for c in dms if not c.path.startswith(f"/v2/users/{DIRECTOR}/"))
    assert got == ["/v2/users/UO-LISI/messages", "/v2/users/UO-ZHANG/messages"]
    assert qq_team.fake.messages(f"/v2/groups/{CORE_GROUP}/messages") == []


def test_an_unknown_group_is_named_and_nothing_is_sent(qq_team: QQHarness) -> None:
    # when the director names a group the team does not have
    _dm(qq_team, "###不存在的群###***群发助手***明天放假", event_id="C2C:nogroup")
    qq_team.deliver()
    # then only her answer went out, and it names the group
    [answer] = qq_team.fake.messages()
    assert answer.path == f"/v2/users/{DIRECTOR}/messages" and "不存在的群" in _content(answer)
