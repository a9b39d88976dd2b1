"""Sends recorded together: one set UPDATE records each notice's own platform message id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, event, select

from teamassist.chat.types import Reply
from teamassist.database import transaction
from teamassist.outbox import service
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.runtime import Runtime


def test_a_group_of_sends_is_recorded_in_one_statement(runtime: Runtime) -> None:
    # given four notices claimed for sending, one of them deleted meanwhile
    now = runtime.clock()
    with transaction(runtime.factory) as session:
        for n in range(4):
            service.enqueue(
                session,
                key=f"mark-sent:{n}",
                platform="feishu",
                address=f"oc_{n}",
                reply=Reply(body=f"通知 {n}"),
                now=now,
            )
    with transaction(runtime.factory) as session:
        ids = service.claim_due(session, now=now, lease_seconds=60, limit=10)
        session.execute(delete(OutboxMessage).where(OutboxMessage.id == ids[3]))
    assert len(ids) == 4
    # when three successes (one without a platform message id) and the deleted one are recorded
    sent = [(ids[0], "om_a"), (ids[1], None), (ids[2], "om_c"), (ids[3], "om_d")]
    calls: list[tuple[str, bool]] = []  # (verb, executemany) of each call to the driver

    def seen(_c: Any, _cur: Any, statement: str, _p: Any, _ctx: Any, many: bool) -> None:
        calls.append((statement.split(None, 1)[0].upper(), many))

    event.listen(runtime.engine, "before_cursor_execute", seen)
    try:
        with transaction(runtime.factory) as session:
            service.mark_sent_many(session, sent, now=now)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", seen)
    # then one statement, not one per notice, recorded each with its own id, sent at ``now``
    assert [call for call in calls if call[0] != "BEGIN"] == [("UPDATE", False)]
    with transaction(runtime.factory, read_only=True) as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.id, r.status, r.external_id) for r in rows] == [
        (ids[0], OutboxStatus.SENT, "om_a"),
        (ids[1], OutboxStatus.SENT, None),
        (ids[2], OutboxStatus.SENT, "om_c"),
    ]
    assert all(r.sent_at == now and r.lease_until is None and r.last_error is None for r in rows)
