"""One platform message is handled once, whatever event id it is pushed under (issue #10 B)."""

from __future__ import annotations

from sqlalchemy import event, func, select

from teamassist.chat.models import InboundEvent
from teamassist.chat.types import ChatType, InboundMessage
from teamassist.enums import Platform
from teamassist.feedback.models import FeedbackItem
from teamassist.runtime import Runtime
from tests.conftest import bind_tenant, load_demo
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes import qq as fakeqq
from tests.platforms.qq.conftest import QQHarness
from tests.platforms.test_feishu import Env


def _message(event_id: str, message_id: str, *, action: bool = False) -> InboundMessage:
    return InboundMessage(
        platform=Platform.FEISHU,
        tenant_key="demo",
        chat_key="oc_group",
        chat_type=ChatType.GROUP,
        sender_key="zhangsan",
        text="/问题反馈 登录页面打不开",
        event_id=event_id,
        message_id=message_id,
        is_action=action,
    )


def _count(runtime: Runtime, model: type) -> int:
    with runtime.factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_one_message_under_two_event_ids_runs_once(runtime: Runtime) -> None:
    load_demo(runtime)
    bind_tenant(runtime, "feishu", "demo", kind="tenant")
    items_before = _count(runtime, FeedbackItem)
    first = runtime.dispatcher.handle(_message("ev-1", "om-1"), reply_via_outbox=True)
    again = runtime.dispatcher.handle(_message("ev-2", "om-1"), reply_via_outbox=True)
    assert not first.duplicate and again.duplicate and again.reply is None
    assert _count(runtime, FeedbackItem) == items_before + 1  # one feedback item
    assert _count(runtime, InboundEvent) == 1


def test_the_same_message_id_in_another_tenant_is_another_message(runtime: Runtime) -> None:
    load_demo(runtime)
    runtime.dispatcher.handle(_message("ev-1", "om-1"))
    other = _message("ev-2", "om-1").model_copy(update={"tenant_key": "other"})
    assert not runtime.dispatcher.handle(other).duplicate
    assert _count(runtime, InboundEvent) == 2


def test_button_presses_on_one_card_are_not_duplicates(runtime: Runtime) -> None:
    load_demo(runtime)
    presses = [_message(f"card-{n}", "om-card", action=True) for n in range(2)]
    results = [runtime.dispatcher.handle(p) for p in presses]
    assert [r.duplicate for r in results] == [False, False]


def test_messages_without_an_id_are_keyed_by_event_only(runtime: Runtime) -> None:
    load_demo(runtime)
    results = [runtime.dispatcher.handle(_message(f"web-{n}", "")) for n in range(2)]
    assert [r.duplicate for r in results] == [False, False]


def test_feishu_pushes_one_message_under_a_new_event_id(env: Env) -> None:
    env.post(fk.message_event("/问题反馈 登录页面打不开", event_id="ev-a", message_id="om_x"))
    env.post(fk.message_event("/问题反馈 登录页面打不开", event_id="ev-b", message_id="om_x"))
    env.runtime.deliver()
    assert env.events() == 1
    assert len([c for c in env.fake.messages() if "om_x" in c.path]) == 1  # one answer


def test_qq_pushes_one_message_under_a_new_event_id(qq: QQHarness) -> None:
    for event_id in ("GROUP_AT:a", "GROUP_AT:b"):
        qq.post(fakeqq.group_at_message(event_id=event_id, message_id="gm1", text="/帮助"))
    qq.deliver()
    assert qq.inbound_count() == 1
    assert len(qq.fake.messages("/v2/groups/G-OPENID-1/messages")) == 1


def test_a_platform_reply_does_not_look_up_its_workspace_twice(sqlite_runtime: Runtime) -> None:
    """The dispatcher found the tenant's workspace to run the command; queuing the reply reuses
    it instead of asking the database again (one statement less per platform command)."""
    load_demo(sqlite_runtime)
    bind_tenant(sqlite_runtime, "feishu", "demo", kind="tenant")
    help_message = _message("ev-help", "om-help").model_copy(update={"text": "/帮助"})
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(sqlite_runtime.engine, "before_cursor_execute", record)
    try:
        result = sqlite_runtime.dispatcher.handle(help_message, reply_via_outbox=True)
    finally:
        event.remove(sqlite_runtime.engine, "before_cursor_execute", record)
    assert result.reply is not None and not result.reply.is_error
    assert any(s.startswith("INSERT INTO outbox") for s in seen), seen  # the reply is queued
    lookups = [s for s in seen if "FROM platform_tenant" in s]
    assert len(lookups) == 1, lookups
