"""A pass of the web lane claims, copies and records its notices in one transaction: three
statements however many notices, each copied exactly once (issue 9: three transactions, an
INSERT per notice and a ``Reply`` made and dumped per notice were 0.63 ms of thread CPU per
/问题反馈 web notice)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import event, select

from teamassist.adapters.web.models import WebMessage
from teamassist.adapters.web.sender import WebSender
from teamassist.chat.types import Reply, ReplyField
from teamassist.database import transaction
from teamassist.outbox import service
from teamassist.outbox.delivery import deliver_due
from teamassist.outbox.models import OutboxMessage
from teamassist.outbox.senders import OutgoingMessage
from teamassist.runtime import Runtime

WAIT = 30.0  # only reached when the behaviour is wrong
NOTICES = [
    (
        "web:inbox:1",
        Reply(title="新反馈", body="#1 登录页白屏", fields=[ReplyField(label="编号", value="1")]),
    ),
    ("web:inbox:2", Reply(body="新反馈 #2")),
    ("web:inbox:1", Reply(body="新反馈 #3")),
]


def _queue(rt: Runtime, platform: str = "web", prefix: str = "lane") -> list[int]:
    with transaction(rt.factory) as session:
        rows = [
            service.enqueue(
                session,
                key=f"{prefix}:{platform}:{n}",
                platform=platform,
                address=address,
                reply=reply,
                now=rt.clock(),
            )
            for n, (address, reply) in enumerate(NOTICES)
        ]
        return [row.id for row in rows if row is not None]


def _lane_pass(rt: Runtime, sender: WebSender | None = None) -> Any:
    return deliver_due(
        rt.factory,
        {"web": sender or WebSender(rt.factory, rt.clock)},
        rt.settings.outbox,
        rt.clock(),
        platforms=["web"],
    )


def _copies(rt: Runtime) -> list[tuple[int, int, str, dict[str, Any]]]:
    with transaction(rt.factory, read_only=True) as session:
        rows = session.scalars(select(WebMessage).order_by(WebMessage.id)).all()
        return [(c.id, c.outbox_id, c.address, c.payload) for c in rows]


def _outbox(rt: Runtime, ids: list[int]) -> list[tuple[str, int, str | None]]:
    with transaction(rt.factory, read_only=True) as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
        ).all()
        return [(r.status, r.attempts, r.external_id) for r in rows]


def test_a_web_lane_pass_is_one_transaction_of_three_statements(runtime: Runtime) -> None:
    # given three web notices to two feeds, and a Feishu notice the web lane leaves alone
    ids = _queue(runtime)
    feishu = _queue(runtime, platform="feishu")
    statements: list[str] = []
    commits: list[object] = []

    def seen(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    def committed(connection: Any) -> None:
        commits.append(connection)

    # when the web lane passes
    event.listen(runtime.engine, "before_cursor_execute", seen)
    event.listen(runtime.engine, "commit", committed)
    try:
        stats = _lane_pass(runtime)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", seen)
        event.remove(runtime.engine, "commit", committed)
    # then the claim, the copies and the record are one transaction of three statements
    assert (stats.sent, stats.claimed, stats.errors) == (3, 3, [])
    assert [s for s in statements if s != "BEGIN"] == ["SELECT", "INSERT", "UPDATE"]
    assert len(commits) == 1
    # each notice is in its feed once, in order, with its payload exactly as queued
    copies = _copies(runtime)
    assert [(outbox_id, address) for _, outbox_id, address, _ in copies] == [
        (outbox_id, address) for outbox_id, (address, _) in zip(ids, NOTICES, strict=True)
    ]
    assert [payload for *_, payload in copies] == [
        reply.model_dump(mode="json") for _, reply in NOTICES
    ]
    # and recorded sent after one attempt, with its copy's id as the platform message id
    assert _outbox(runtime, ids) == [("sent", 1, str(copy_id)) for copy_id, *_ in copies]
    assert _outbox(runtime, feishu) == [("pending", 0, None)] * 3
    # a second pass finds nothing more to do
    again = _lane_pass(runtime)
    assert (again.sent, again.claimed) == (0, 0)
    assert len(_copies(runtime)) == 3


def test_a_notice_copied_by_an_earlier_attempt_keeps_its_copy(runtime: Runtime) -> None:
    # given three web notices, the second copied by an earlier attempt that never recorded it
    ids = _queue(runtime)
    sender = WebSender(runtime.factory, runtime.clock)
    earlier = sender.send(
        OutgoingMessage(
            outbox_id=ids[1],
            platform="web",
            address=NOTICES[1][0],
            reply=NOTICES[1][1],
            idempotency_key="lane:web:1",
        )
    )
    assert earlier is not None
    # when the web lane passes
    stats = _lane_pass(runtime, sender)
    # then that notice keeps its one copy and is recorded with it; the others get theirs
    copies = _copies(runtime)
    assert stats.sent == 3
    assert sorted(outbox_id for _, outbox_id, _, _ in copies) == ids
    by_notice = {outbox_id: str(copy_id) for copy_id, outbox_id, _, _ in copies}
    assert by_notice[ids[1]] == earlier
    assert _outbox(runtime, ids) == [("sent", 1, by_notice[n]) for n in ids]


class _StoreFails(WebSender):
    """A web sender whose storing pass fails; the ordinary pass stores as usual."""

    def __init__(self, rt: Runtime) -> None:
        super().__init__(rt.factory, rt.clock)
        self.tries = 0

    def store_claimed(
        self, session: Any, outbox_ids: Sequence[int], now: datetime
    ) -> list[tuple[int, str]]:
        self.tries += 1
        super().store_claimed(session, outbox_ids, now)  # written, then rolled back
        raise RuntimeError("the copy failed")


def test_a_failed_storing_pass_is_delivered_as_usual_and_nothing_twice(
    runtime: Runtime,
) -> None:
    ids = _queue(runtime)
    sender = _StoreFails(runtime)
    stats = _lane_pass(runtime, sender)
    assert sender.tries == 1
    assert stats.sent == 3 and not stats.errors
    copies = _copies(runtime)
    assert sorted(outbox_id for _, outbox_id, _, _ in copies) == ids
    assert [status for status, _, _ in _outbox(runtime, ids)] == ["sent"] * 3


def test_two_web_lane_passes_at_once_copy_each_notice_once(runtime: Runtime) -> None:
    """Two servers' web lanes at the same time (PostgreSQL and MariaDB skip what the other
    holds, SQLite's writer waits): every notice copied and recorded exactly once."""
    ids = _queue(runtime)
    first_holds, results = threading.Event(), {}

    class _Holding(WebSender):
        def store_claimed(
            self, session: Any, outbox_ids: Sequence[int], now: datetime
        ) -> list[tuple[int, str]]:
            done = super().store_claimed(session, outbox_ids, now)
            first_holds.set()
            time.sleep(0.3)  # the other pass runs (or waits) while this one is uncommitted
            return done

    def second() -> None:
        first_holds.wait(WAIT)
        results["b"] = _lane_pass(runtime).sent

    other = threading.Thread(target=second)
    other.start()
    results["a"] = _lane_pass(runtime, _Holding(runtime.factory, runtime.clock)).sent
    other.join(WAIT)
    rest = _lane_pass(runtime).sent
    assert results["a"] + results["b"] + rest == 3
    assert sorted(outbox_id for _, outbox_id, _, _ in _copies(runtime)) == ids
    assert [status for status, _, _ in _outbox(runtime, ids)] == ["sent"] * 3
