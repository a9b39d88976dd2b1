"""The outbox: a notice survives a platform outage, is retried with backoff and arrives once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.database import StatementCounter, transaction
from teamassist.outbox import service, signals
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.runtime import Runtime
from tests.support.chat import RecordingSender


def _queue(rt: Runtime, key: str = "test.notice:1", platform: str = "wecom") -> None:
    with transaction(rt.factory) as session:
        service.enqueue(
            session,
            key=key,
            platform=platform,
            address="ops",
            reply=Reply(body="服务器重启 🚀"),
            now=rt.clock(),
        )


def _row(rt: Runtime) -> OutboxMessage:
    with rt.factory() as session:
        row: OutboxMessage | None = session.scalar(select(OutboxMessage))
        assert row is not None
        return row


def test_same_key_is_queued_once(runtime: Runtime) -> None:
    _queue(runtime)
    _queue(runtime)
    with runtime.factory() as session:
        assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_a_notice_is_queued_by_one_insert_and_a_taken_key_keeps_the_transaction(
    runtime: Runtime,
) -> None:
    # given a transaction that queues a notice, the same key again, then another key
    with transaction(runtime.factory) as session:
        session.connection()  # BEGIN sent before counting
        with StatementCounter(runtime.engine) as counter:
            first = service.enqueue(
                session,
                key="k:1",
                platform="wecom",
                address="ops",
                reply=Reply(body="一"),
                now=runtime.clock(),
            )
            new_key = list(counter.statements)
            again = service.enqueue(
                session,
                key="k:1",
                platform="feishu",
                address="oc",
                reply=Reply(body="二"),
                now=runtime.clock(),
            )
            other = service.enqueue(
                session,
                key="k:2",
                platform="qq",
                address="g",
                reply=Reply(body="三"),
                now=runtime.clock(),
            )
        # then the first is a row of the session with its id, the taken key queues nothing,
        # and the transaction goes on; delivery is told which platforms got notices
        assert first is not None and first.id and first in session
        assert again is None
        assert other is not None and other.id != first.id
        assert signals.queued_platforms(session) == {"wecom", "qq"}
    # and where the database can skip a taken key itself (INSERT … ON CONFLICT DO NOTHING
    # RETURNING), a new notice costs that one statement (it was a SELECT, a savepoint, the
    # INSERT and its release)
    if runtime.engine.dialect.name in {"sqlite", "postgresql"}:
        assert new_key == ["INSERT"]
    with runtime.factory() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.idempotency_key, r.platform, r.payload["body"]) for r in rows] == [
        ("k:1", "wecom", "一"),
        ("k:2", "qq", "三"),
    ]


def test_an_sqlite_without_returning_queues_through_the_savepoint(sqlite_runtime: Runtime) -> None:
    # given an SQLite older than 3.35, where SQLAlchemy turns RETURNING off
    sqlite_runtime.engine.dialect.insert_returning = False
    # when the same key is queued twice, then another
    with StatementCounter(sqlite_runtime.engine) as counter:
        _queue(sqlite_runtime, key="old:1")
    _queue(sqlite_runtime, key="old:1")
    _queue(sqlite_runtime, key="old:2")
    # then no RETURNING was sent (that SQLite would refuse it): the key was looked up and the
    # row inserted inside a savepoint, and each key is queued once, as on any other database
    assert counter.statements == ["BEGIN", "SELECT", "SAVEPOINT", "INSERT", "RELEASE"]
    with sqlite_runtime.factory() as session:
        keys = session.scalars(select(OutboxMessage.idempotency_key).order_by(OutboxMessage.id))
        assert list(keys) == ["old:1", "old:2"]


def test_outage_then_recovery_delivers_exactly_once(runtime: Runtime, clock: FrozenClock) -> None:
    sender = runtime.senders["wecom"]
    assert isinstance(sender, RecordingSender)
    sender.failing = True
    _queue(runtime)

    # given the platform is down: the notice stays queued with a backoff
    stats = runtime.deliver()
    assert stats.retried == 1 and sender.sent == []
    row = _row(runtime)
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert row.next_attempt_at > clock.now and "down" in (row.last_error or "")

    # a pass before the backoff elapses does not hammer the platform
    assert runtime.deliver().retried == 0

    # when it comes back and the backoff has elapsed: delivered once
    sender.failing = False
    clock.set(row.next_attempt_at + timedelta(seconds=1))
    assert runtime.deliver().sent == 1
    assert runtime.deliver().sent == 0
    assert [m.reply.body for m in sender.sent] == ["服务器重启 🚀"]
    assert _row(runtime).status == OutboxStatus.SENT


def test_backoff_grows_and_gives_up_after_max_attempts(
    sqlite_runtime: Runtime, clock: FrozenClock
) -> None:
    rt = sqlite_runtime
    rt.settings.outbox.max_attempts = 3
    sender = rt.senders["wecom"]
    assert isinstance(sender, RecordingSender)
    sender.failing = True
    _queue(rt)
    delays = []
    for _ in range(3):
        rt.deliver()
        row = _row(rt)
        delays.append((row.next_attempt_at - clock.now).total_seconds())
        clock.set(row.next_attempt_at + timedelta(seconds=1))
    assert _row(rt).status == OutboxStatus.DEAD
    assert delays[1] > delays[0]
    # an admin can put it back, and it then arrives
    sender.failing = False
    with transaction(rt.factory) as session:
        assert service.retry(session, outbox_id=_row(rt).id, now=clock.now)
    assert rt.deliver().sent == 1


def test_unknown_platform_is_kept_not_dropped(sqlite_runtime: Runtime) -> None:
    _queue(sqlite_runtime, platform="dingtalk")
    stats = sqlite_runtime.deliver()
    assert stats.sent == 0 and stats.retried == 1
    assert _row(sqlite_runtime).status == OutboxStatus.PENDING


def test_crashed_sender_lease_expires_and_is_reclaimed(
    sqlite_runtime: Runtime, clock: FrozenClock
) -> None:
    rt = sqlite_runtime
    _queue(rt)
    # a worker claimed the row and died before recording the outcome
    with transaction(rt.factory) as session:
        assert service.claim_due(session, now=clock.now, lease_seconds=60, limit=10)
    assert rt.deliver().sent == 0  # still leased
    clock.set(clock.now + timedelta(seconds=61))
    assert rt.deliver().sent == 1


def test_two_workers_never_claim_the_same_notice(runtime: Runtime, clock: FrozenClock) -> None:
    for n in range(5):
        _queue(runtime, key=f"k{n}")
    with transaction(runtime.factory) as first:
        a = service.claim_due(first, now=clock.now, lease_seconds=60, limit=3)
    with transaction(runtime.factory) as second:
        b = service.claim_due(second, now=clock.now, lease_seconds=60, limit=10)
    assert len(a) == 3 and len(b) == 2 and not set(a) & set(b)
