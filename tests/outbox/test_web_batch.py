"""A delivery pass stores all its web notices in one transaction, not one each (issue 9: one per
notice was the largest part of the delivery loop's CPU per /问题反馈 served); should the batch
fail, each notice is sent on its own as before and none is lost."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import event, select

from teamassist.adapters.web.models import WebMessage
from teamassist.adapters.web.sender import WebSender
from teamassist.chat.types import Reply
from teamassist.database import transaction
from teamassist.outbox import service
from teamassist.outbox.delivery import deliver_due
from teamassist.outbox.models import OutboxMessage
from teamassist.outbox.senders import OutgoingMessage
from teamassist.runtime import Runtime

NOTICES = [("web:inbox:1", "新反馈 #1"), ("web:inbox:2", "新反馈 #2"), ("web:inbox:1", "新反馈 #3")]


def _queue(rt: Runtime) -> list[int]:
    with transaction(rt.factory) as session:
        rows = [
            service.enqueue(
                session,
                key=f"web-batch:{n}",
                platform="web",
                address=address,
                reply=Reply(body=body),
                now=rt.clock(),
            )
            for n, (address, body) in enumerate(NOTICES)
        ]
        return [row.id for row in rows if row is not None]


def _stored(rt: Runtime) -> list[tuple[int, str, str]]:
    with transaction(rt.factory, read_only=True) as session:
        copies = session.scalars(select(WebMessage).order_by(WebMessage.outbox_id)).all()
        return [(c.outbox_id, c.address, c.payload["body"]) for c in copies]


def _statuses(rt: Runtime, ids: list[int]) -> list[str]:
    with transaction(rt.factory, read_only=True) as session:
        return list(
            session.scalars(
                select(OutboxMessage.status)
                .where(OutboxMessage.id.in_(ids))
                .order_by(OutboxMessage.id)
            )
        )


def test_a_pass_stores_its_web_notices_in_one_transaction(runtime: Runtime) -> None:
    # given three web notices to two feeds
    ids = _queue(runtime)
    commits: list[object] = []

    def committed(connection: Any) -> None:
        commits.append(connection)

    # when one pass delivers them
    event.listen(runtime.engine, "commit", committed)
    try:
        stats = deliver_due(
            runtime.factory,
            {"web": WebSender(runtime.factory, runtime.clock)},
            runtime.settings.outbox,
            runtime.clock(),
        )
    finally:
        event.remove(runtime.engine, "commit", committed)
    # then each is stored once in its feed and marked sent: the claim, the copies and the
    # record are three transactions (one per notice for the copies was five)
    assert stats.sent == 3 and not stats.errors
    assert _stored(runtime) == [
        (outbox_id, address, body) for outbox_id, (address, body) in zip(ids, NOTICES, strict=True)
    ]
    assert _statuses(runtime, ids) == ["sent", "sent", "sent"]
    assert len(commits) == 3


class _BatchFails(WebSender):
    """A web sender whose batch fails once; one by one it stores as usual."""

    def __init__(self, rt: Runtime) -> None:
        super().__init__(rt.factory, rt.clock)
        self.batches = 0
        self.singles: list[int] = []

    def send_many(self, messages: Sequence[OutgoingMessage]) -> list[str | None]:
        self.batches += 1
        raise RuntimeError("the batch's transaction failed")

    def send(self, message: OutgoingMessage) -> str | None:
        self.singles.append(message.outbox_id)
        return super().send(message)


def test_a_failed_batch_is_sent_one_by_one(runtime: Runtime) -> None:
    ids = _queue(runtime)
    sender = _BatchFails(runtime)
    stats = deliver_due(runtime.factory, {"web": sender}, runtime.settings.outbox, runtime.clock())
    assert sender.batches == 1
    assert sorted(sender.singles) == ids
    assert stats.sent == 3 and not stats.errors
    assert [outbox_id for outbox_id, _, _ in _stored(runtime)] == ids
    assert _statuses(runtime, ids) == ["sent", "sent", "sent"]
