"""The check-in prompt in chat: `/进展 KR-n` alone, and the reminder's buttons that ask for it."""

from __future__ import annotations

from sqlalchemy import select

from teamassist.chat.types import Reply
from teamassist.okr.models import CheckIn
from teamassist.outbox.models import OutboxMessage
from tests.okr.support import demo, set_clock
from tests.support.chat import ChatDriver


def _publish(chat: ChatDriver) -> None:
    chat.text("/新建目标 提升交付质量", as_="zhangsan")
    chat.text("/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 50%", as_="zhangsan")
    chat.text("/新建KR O-1 营收 起始 100 目标 200 单位 万元 权重 50%", as_="zhangsan")
    assert "已发布" in chat.text("/发布OKR O-1", as_="zhangsan")


def _check_ins(chat: ChatDriver) -> int:
    with chat.runtime.factory() as session:
        return len(session.scalars(select(CheckIn.id)).all())


def test_prompt_before_any_check_in_offers_the_start_value(sqlite_chat: ChatDriver) -> None:
    set_clock(sqlite_chat.runtime, "2026-10-08 10:00")
    _publish(sqlite_chat)
    before = _check_ins(sqlite_chat)
    reply = sqlite_chat.text("/进展 KR-1", as_="zhangsan")
    assert "登记进展 · KR-1 线上缺陷数" in reply
    assert "还没有登记过，起始值 50个。" in reply
    assert "请写上进展值回复，例如：/进展 KR-1 50" in reply
    assert "[无变化 / no change] /进展 KR-1 50 无变化" in reply
    assert _check_ins(sqlite_chat) == before
    # Someone who neither owns nor contributes gets the refusal, not the form.
    refused = sqlite_chat.text("/进展 KR-1", as_="lisi")
    assert "只有负责人、协作者或团队管理员可以修改 KR-1" in refused
    assert "登记进展" not in refused


def test_reminder_carries_a_button_per_stale_kr_that_opens_the_prompt(
    sqlite_chat: ChatDriver,
) -> None:
    runtime = sqlite_chat.runtime
    with demo(runtime) as given:
        given.team.director_id = given.member("admin").id
    set_clock(runtime, "2026-10-08 10:00")
    _publish(sqlite_chat)
    set_clock(runtime, "2026-10-16 16:00")
    runtime.scheduler.tick()
    with runtime.factory() as session:
        [row] = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.idempotency_key.startswith("okr.checkin_reminder:")
            )
        ).all()
        reminder = Reply.model_validate(row.payload)
    assert [(b.label, b.command) for b in reminder.buttons] == [
        ("登记 KR-1", "/进展 KR-1"),
        ("登记 KR-2", "/进展 KR-2"),
    ]
    assert "登记进展 · KR-2 营收" in sqlite_chat.text(reminder.buttons[1].command, as_="zhangsan")
