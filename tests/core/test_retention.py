"""Retention: old handled events and delivered notices go; anything still pending stays."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from teamassist.chat.models import InboundEvent
from teamassist.chat.retention import RetentionSweep
from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.outbox import service as outbox_service
from teamassist.outbox.models import OutboxMessage
from tests.support.chat import ChatDriver, RecordingSender


def _count(chat: ChatDriver, model: type) -> int:
    with chat.runtime.factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_old_rows_purged_recent_and_pending_kept(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    rt = sqlite_chat.runtime
    wecom = rt.senders["wecom"]
    assert isinstance(wecom, RecordingSender)
    sqlite_chat.say("/我是谁", as_="zhangsan")
    with transaction(rt.factory) as session:
        for key in ("sent-old", "pending-old"):
            outbox_service.enqueue(
                session,
                key=key,
                platform="wecom",
                address="ops",
                reply=Reply(body=key),
                now=clock(),
            )
    rt.deliver()  # both delivered ...
    with transaction(rt.factory) as session:  # ... then make one pending again (say, a retry)
        row = session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == "pending-old")
        )
        assert row is not None
        row.status = "pending"
    sweep = RetentionSweep(rt.factory, clock, inbox_days=7, outbox_days=30)

    # six days later nothing is old enough
    clock.set(clock() + timedelta(days=6))
    assert sweep() is not None
    assert _count(sqlite_chat, InboundEvent) == 1 and _count(sqlite_chat, OutboxMessage) == 2

    # a second call within the hour does no work at all
    assert sweep() is None

    # 31 days on: the handled event and the sent notice go; the pending notice stays
    clock.set(clock() + timedelta(days=25))
    purged = sweep()
    assert purged is not None and (purged.inbound, purged.outbox) == (1, 1)
    with rt.factory() as session:
        keys = session.scalars(select(OutboxMessage.idempotency_key)).all()
    assert keys == ["pending-old"]


def test_sweep_runs_from_the_scheduler_tick(sqlite_chat: ChatDriver, clock: FrozenClock) -> None:
    sqlite_chat.say("/我是谁", as_="zhangsan")
    clock.set(clock() + timedelta(days=8))
    sqlite_chat.runtime.scheduler.tick()
    assert _count(sqlite_chat, InboundEvent) == 0
