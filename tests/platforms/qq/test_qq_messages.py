"""QQ messages in detail: event translation, mentions both ways, a real workflow, the 3 s ack."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from nonebot.adapters.qq.models import Dispatch
from sqlalchemy import select

from teamassist.adapters import webhook_kit
from teamassist.adapters.qq import protocol
from teamassist.chat.models import InboundEvent
from teamassist.chat.types import ChatType, InboundMessage
from teamassist.feedback.models import FeedbackItem
from teamassist.team.models import Member
from tests.platforms.fakes import qq as fakeqq
from tests.platforms.qq.conftest import QQHarness

NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)


def _inbound(body: bytes) -> InboundMessage | None:
    payload = protocol.parse_payload(body)
    assert isinstance(payload, Dispatch)
    return protocol.to_inbound(
        protocol.payload_to_event(payload),
        app_id=fakeqq.APP_ID,
        admin_role_ids=["2", "4"],
        admin_group_roles=["owner", "admin"],
        received_at=NOW,
    )


def test_guild_message_keeps_user_mentions_and_drops_the_bots() -> None:
    message = _inbound(
        fakeqq.guild_at_message(
            event_id="AT_MESSAGE_CREATE:e1",
            message_id="m1",
            text="/指派反馈 3 <@!u-li> 请看 a &lt; b",
            mentions=[("u-li", "李四")],
            roles=["2"],
        )
    )

    assert message is not None
    assert message.text == "/指派反馈 3 <@!u-li> 请看 a < b"  # QQ's escaping undone
    assert [(m.user_key, m.display) for m in message.mentions] == [("u-li", "李四")]
    assert (message.tenant_key, message.chat_key) == ("g-1", "channel:ch-public")
    assert message.sender_is_platform_admin and message.chat_type is ChatType.GROUP
    assert message.event_id == "AT_MESSAGE_CREATE:e1" and message.message_id == "m1"


def test_group_and_c2c_keys() -> None:
    group = _inbound(fakeqq.group_at_message(event_id="g", message_id="gm", text="/帮助"))
    c2c = _inbound(fakeqq.c2c_message(event_id="c", message_id="cm", text="/帮助"))

    assert group is not None and c2c is not None
    assert (group.tenant_key, group.chat_key, group.sender_key, group.text) == (
        "G-OPENID-1",
        "group:G-OPENID-1",
        "MO-ZHANG",
        "/帮助",
    )
    assert (c2c.tenant_key, c2c.chat_key, c2c.chat_type) == (
        fakeqq.APP_ID,
        "c2c:UO-ZHANG",
        ChatType.DIRECT,
    )


def test_feedback_report_and_assignment_by_mention_through_qq(qq: QQHarness) -> None:
    # 李四 has talked to the bot before, so QQ user u-li is a known member.
    qq.post(
        fakeqq.guild_at_message(
            event_id="e0", message_id="m0", text="/我是谁", author_id="u-li", author_name="李四"
        )
    )
    qq.post(fakeqq.guild_at_message(event_id="e1", message_id="m1", text="/问题反馈 登录失败"))
    with qq.runtime.factory() as session:
        item = session.scalar(select(FeedbackItem).where(FeedbackItem.text == "登录失败"))
        assert item is not None
        li = session.scalar(
            select(Member).where(Member.display_name == "李四", Member.handle != "lisi")
        )
        assert li is not None

    qq.post(
        fakeqq.guild_at_message(
            event_id="e2",
            message_id="m2",
            text=f"/指派反馈 {item.id} <@!u-li>",
            mentions=[("u-li", "李四")],
            author_id="u-boss",
            roles=["2"],  # 管理员
        )
    )
    qq.deliver()

    with qq.runtime.factory() as session:
        assigned = session.get(FeedbackItem, item.id)
        assert assigned is not None and assigned.owner_id == li.id
    replies = {
        c.body["msg_id"]: c.body["markdown"]["content"]
        for c in qq.fake.messages("/channels/ch-public/messages")
    }
    assert "登录失败" in replies["m1"]
    assert "<@!u-li>" in replies["m2"]  # the assignee, mentioned natively


def test_a_slow_command_is_acknowledged_in_time_and_finishes(
    qq: QQHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook_kit, "ACK_SECONDS", 0.2)
    original = qq.runtime.dispatcher.process
    release, done = threading.Event(), threading.Event()

    def slow(row_id: int, message: InboundMessage, **kwargs: object) -> object:
        release.wait(10)  # held until the test has its answer
        result = original(row_id, message, **kwargs)  # type: ignore[arg-type]
        done.set()
        return result

    monkeypatch.setattr(qq.runtime.dispatcher, "process", slow)
    response = qq.post(fakeqq.guild_at_message(event_id="e-slow", message_id="m1", text="/帮助"))

    assert response.status_code == 200 and not done.is_set()  # acknowledged while still busy
    with qq.runtime.factory() as session:  # and already in the inbox, should the process die
        assert (
            session.scalar(select(InboundEvent.status).where(InboundEvent.event_id == "e-slow"))
            == "received"
        )
    release.set()
    assert done.wait(10)
    qq.deliver()
    assert len(qq.fake.messages()) == 1


def test_when_the_event_cannot_be_recorded_qq_is_asked_to_redeliver(
    qq: QQHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(message: InboundMessage) -> int | None:
        raise RuntimeError("database is down")

    monkeypatch.setattr(qq.runtime.dispatcher, "record", broken)

    response = qq.post(fakeqq.guild_at_message(event_id="e1", message_id="m1", text="/帮助"))

    assert response.status_code == 503
