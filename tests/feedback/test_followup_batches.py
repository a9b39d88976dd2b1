"""Issue #10 G: re-notices and escalations come as one message per recipient per pass, and
escalations wait for working hours (not 03:00) unless the team opts in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from tests.feedback.support import given_rotation, given_settings, items, member_id
from tests.support.chat import ChatDriver


def _rows(runtime: Runtime, prefix: str) -> list[OutboxMessage]:
    with runtime.factory() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.idempotency_key.startswith(prefix))
                .order_by(OutboxMessage.id)
            )
        )


def test_six_items_in_one_pass_give_one_message_per_recipient(
    chat: ChatDriver, clock: FrozenClock
) -> None:
    given_rotation(chat.runtime, "tech", ["lihua"])
    for n in range(6):
        chat.text(f"/问题反馈 第{n}个没人理的问题", as_="zhangsan")
    ids = [item.id for item in items(chat.runtime)[-6:]]
    clock.set(clock() + timedelta(minutes=31))
    chat.runtime.scheduler.tick()
    renotices = _rows(chat.runtime, "feedback.renotify:")
    # was 12 (six to the owner, six to the duty room)
    assert len(renotices) == 2
    lihua = f"member:{member_id(chat.runtime, 'lihua')}"
    (to_owner,) = chat.queued_texts(lihua)[-1:]
    assert "6 条反馈已经 30 分钟没有确认了" in to_owner
    assert all(f"id=「{i}」" in to_owner for i in ids)
    earlier = {r.id for r in _rows(chat.runtime, "feedback.escalate:")}  # the demo's old items
    clock.set(clock() + timedelta(minutes=90))
    chat.runtime.scheduler.tick()
    chat.runtime.scheduler.tick()
    escalations = [r for r in _rows(chat.runtime, "feedback.escalate:") if r.id not in earlier]
    admin = f"member:{member_id(chat.runtime, 'admin')}"
    assert len([r for r in escalations if r.address == admin]) == 1
    text = [t for t in chat.queued_texts(admin) if "6 条反馈已经 120 分钟无人确认" in t]
    assert len(text) == 1 and all(f"id=「{i}」" in text[0] for i in ids)
    assert len({r.address for r in escalations}) == len(escalations)  # one per recipient


def _escalate_at_night(chat: ChatDriver, clock: FrozenClock, text: str) -> OutboxMessage:
    # Tuesday 2026-06-02 02:00 local (Asia/Shanghai), the bug waits 25 minutes unacknowledged
    clock.set(datetime(2026, 6, 1, 18, 0, tzinfo=UTC))
    chat.runtime.scheduler.tick()  # the demo's older items are chased first, on their own
    chat.text(f"/问题反馈 {text}", as_="zhangsan")
    item_id = items(chat.runtime)[-1].id
    clock.set(datetime(2026, 6, 1, 18, 25, tzinfo=UTC))
    chat.runtime.scheduler.tick()
    admin = f"member:{member_id(chat.runtime, 'admin')}"
    (row,) = [r for r in _rows(chat.runtime, f"feedback.escalate:{item_id}:") if r.address == admin]
    return row


def test_escalation_to_admins_waits_for_working_hours(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    given_rotation(sqlite_chat.runtime, "tech", ["lihua"])
    given_settings(sqlite_chat.runtime, renotify_minutes=10, escalate_minutes=20)
    row = _escalate_at_night(sqlite_chat, clock, "半夜的问题")
    # held until Tuesday 09:00 local, not sent at 02:25
    assert row.next_attempt_at == datetime(2026, 6, 2, 1, 0, tzinfo=UTC)


def test_team_can_opt_in_to_night_escalations(sqlite_chat: ChatDriver, clock: FrozenClock) -> None:
    given_rotation(sqlite_chat.runtime, "tech", ["lihua"])
    given_settings(
        sqlite_chat.runtime,
        renotify_minutes=10,
        escalate_minutes=20,
        escalate_in_quiet_hours=True,
    )
    row = _escalate_at_night(sqlite_chat, clock, "半夜也要叫醒管理员")
    assert row.next_attempt_at == datetime(2026, 6, 1, 18, 25, tzinfo=UTC)
