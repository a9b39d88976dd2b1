"""Nothing a user sends is lost: the inbox records first, and unfinished events are replayed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from teamassist.chat.models import InboundEvent
from teamassist.chat.types import ChatType, InboundMessage
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.enums import Platform
from teamassist.outbox.models import OutboxMessage
from tests.conftest import bind_tenant
from tests.support.chat import ChatDriver


def test_event_left_unfinished_by_a_crash_is_replayed_once(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    rt = sqlite_chat.runtime
    bind_tenant(rt, "qq", "guild-1", kind="guild")
    message = InboundMessage(
        platform=Platform.QQ,
        tenant_key="guild-1",
        chat_key="channel:9",
        chat_type=ChatType.GROUP,
        sender_key="u-1",
        sender_name="路人甲",
        text="/我是谁",
        event_id="evt-crash",
        message_id="m-1",
    )
    # given: the event was recorded, then the process died before handling it
    with transaction(rt.factory) as session:
        session.add(
            InboundEvent(
                platform="qq",
                tenant_key="guild-1",
                event_id="evt-crash",
                status="received",
                message=message.model_dump(mode="json"),
                received_at=clock.now,
            )
        )
    # when: the platform redelivers it, nothing is done twice
    assert rt.dispatcher.handle(message, reply_via_outbox=True).duplicate
    # and the replay job (a minute later) handles it exactly once
    clock.set(clock.now + timedelta(minutes=2))
    assert rt.dispatcher.replay_pending() == 1
    assert rt.dispatcher.replay_pending() == 0
    with rt.factory() as session:
        replies = session.scalars(select(OutboxMessage)).all()
        assert len(replies) == 1 and replies[0].reply_to == "m-1"
        assert replies[0].address == "channel:9"
        event = session.scalar(select(InboundEvent))
        assert event is not None and event.status == "done"


def test_internal_error_gets_an_error_id_and_is_recorded(sqlite_chat: ChatDriver) -> None:
    rt = sqlite_chat.runtime
    # an unexpected failure inside a handler: the user sees an error id, not a stack trace
    spec = rt.registry.get("我是谁")
    assert spec is not None
    original = spec.handler

    def broken(ctx, args):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("boom")

    spec.handler = broken
    try:
        text = sqlite_chat.text("/我是谁", as_="zhangsan")
    finally:
        spec.handler = original
    assert "错误编号" in text and "boom" not in text
    with rt.factory() as session:
        event = session.scalar(select(InboundEvent).order_by(InboundEvent.id.desc()))
        assert event is not None and event.status == "failed" and event.error_id in text  # type: ignore[operator]  # None fails the assertion


def test_unknown_platform_user_is_enrolled_as_member(sqlite_chat: ChatDriver) -> None:
    text = sqlite_chat.text(
        "/我是谁",
        as_="qq-user-42",
        platform=Platform.QQ,
        tenant_key="guild-7",
        chat_key="channel:1",
        chat_type=ChatType.GROUP,
    )
    assert "成员" in text
    # the second message resolves the same member
    again = sqlite_chat.text(
        "/我是谁",
        as_="qq-user-42",
        platform=Platform.QQ,
        tenant_key="guild-7",
        chat_key="channel:1",
        chat_type=ChatType.GROUP,
    )
    assert again == text


def test_platform_admin_role_counts_as_admin(sqlite_chat: ChatDriver) -> None:
    kwargs = {
        "platform": Platform.QQ,
        "tenant_key": "g",
        "chat_key": "channel:1",
        "chat_type": ChatType.GROUP,
    }
    assert "角色：成员" in sqlite_chat.text("/我是谁", as_="qq-member", **kwargs)
    owner = sqlite_chat.text("/我是谁", as_="qq-owner", platform_admin=True, **kwargs)
    assert "角色：管理员" in owner
