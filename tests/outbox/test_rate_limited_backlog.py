"""A rate-limited notice waits without spending an attempt, and never goes dead for it.

Issue #9: a WeCom robot backlog of 1,000 (20 a minute allowed) ended with 760 dead, because each
local "wait" burned one of the 12 attempts. Driven through the local fake robot webhook with a
clock we move: no real waiting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.database import StatementCounter, transaction
from teamassist.outbox import service
from teamassist.outbox.delivery import deliver_due
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.outbox.senders import DeliveryError, OutgoingMessage
from teamassist.runtime import Runtime
from tests.conftest import make_runtime
from tests.platforms.fakes.wecom import FakeWeCom

PER_MINUTE = 20
# Issue #9's backlog was 1,000 notices with the default 12 attempts (760 went dead); it took
# 10-15 s on each server backend while each waiting notice was a transaction per pass (now a
# lane's wait is one statement). 300 of them with 3 attempts is the same case: with waits
# spending attempts, 120 of these went dead.
MAX_ATTEMPTS = 3
BACKLOG = 300


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeWeCom]:
    server = FakeWeCom({"KEY-duty"}).start()
    yield server
    server.stop()


@pytest.fixture
def wecom(fake: FakeWeCom, db_url: str, clock: FrozenClock) -> Iterator[Runtime]:
    fake.reset()
    runtime = make_runtime(
        db_url,
        clock,
        wecom={"enabled": True, "api_base": fake.url, "robots": {"duty": "KEY-duty"}},
        outbox={"max_attempts": MAX_ATTEMPTS},
    )
    yield runtime
    runtime.close()


def _queue(rt: Runtime, count: int) -> None:
    with transaction(rt.factory) as session:
        for n in range(count):
            service.enqueue(
                session,
                key=f"backlog:{n}",
                platform="wecom",
                address="duty",
                reply=Reply(body=f"提醒 #{n}"),
                now=rt.clock(),
            )


def _statuses(rt: Runtime) -> Counter[str]:
    with rt.factory() as session:
        rows = session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    return Counter({str(status): int(count) for status, count in rows})


def test_a_wecom_robot_backlog_at_20_a_minute_is_delivered_in_full_once(
    wecom: Runtime, fake: FakeWeCom, clock: FrozenClock
) -> None:
    _queue(wecom, BACKLOG)
    minutes = 0
    while _statuses(wecom)[OutboxStatus.SENT] < BACKLOG and minutes < 2 * BACKLOG // PER_MINUTE:
        stats = wecom.deliver()
        # never more than the robot's minute, and a wait is never a death
        assert stats.sent <= PER_MINUTE and stats.dead == 0
        if stats.sent < PER_MINUTE or stats.rate_limited:
            clock.set(clock() + timedelta(seconds=60))
            minutes += 1
    counts = _statuses(wecom)
    assert counts == Counter({OutboxStatus.SENT: BACKLOG})
    bodies = [m.markdown for m in fake.received]
    assert len(bodies) == BACKLOG and len(set(bodies)) == BACKLOG  # each exactly once
    assert minutes <= BACKLOG // PER_MINUTE + 1  # 15 minutes of robot time, not more
    with wecom.factory() as session:
        # the waits spent nothing: every notice went out on its first counted attempt
        assert set(session.scalars(select(OutboxMessage.attempts))) == {1}


class _AlwaysLimited:
    platform = "wecom"

    def __init__(self) -> None:
        self.calls = 0

    def send(self, message: OutgoingMessage) -> str | None:
        self.calls += 1
        raise DeliveryError("quota", transient=False, retry_after=30)


def test_a_notice_rate_limited_more_often_than_max_attempts_stays_pending(
    sqlite_runtime: Runtime, clock: FrozenClock
) -> None:
    rt = sqlite_runtime
    rt.settings.outbox.max_attempts = 3
    sender = _AlwaysLimited()
    rt.senders["wecom"] = sender
    _queue(rt, 1)
    for _ in range(10):
        stats = rt.deliver()
        assert stats.rate_limited == 1 and stats.retried == 1 and stats.dead == 0
        with rt.factory() as session:
            row = session.scalars(select(OutboxMessage)).one()
            # rescheduled at the time the platform named, no attempt counted
            assert row.status == OutboxStatus.PENDING and row.attempts == 0
            assert row.next_attempt_at == clock() + timedelta(seconds=30)
        clock.set(clock() + timedelta(seconds=30))
    assert sender.calls == 10


def test_a_lanes_wait_is_one_statement_and_spends_no_attempt(
    runtime: Runtime, clock: FrozenClock
) -> None:
    """Issue 9: each notice held back by a rate limit was put back in a transaction of its own,
    on every pass (a robot's backlog of 1,000: 1,000 commits a pass)."""
    rt = runtime
    sender = _AlwaysLimited()
    rt.senders["wecom"] = sender
    _queue(rt, 40)
    with transaction(rt.factory) as session:  # one was sent before and may have arrived
        first = session.scalar(select(func.min(OutboxMessage.id)))
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == first)
            .values(attempts=1, last_error=service.UNCERTAIN + "timed out")
        )
    with StatementCounter(rt.engine) as counter:
        stats = deliver_due(rt.factory, rt.senders, rt.settings.outbox, clock())
    # the robot was asked once; the claim and the whole lane's wait: two transactions
    assert sender.calls == 1
    assert (stats.claimed, stats.rate_limited, stats.retried, stats.dead) == (40, 40, 40, 0)
    assert counter.transactions == 2, counter.statements
    assert counter.statements.count("UPDATE") == 3, counter.statements  # the claim's 2, the wait
    with rt.factory() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    # each waits 30 s with its attempts as before the claim, and the uncertain one stays so
    assert {(r.status, r.lease_until, r.next_attempt_at) for r in rows} == {
        (OutboxStatus.PENDING, None, clock() + timedelta(seconds=30))
    }
    assert [(r.attempts, r.last_error) for r in rows[:2]] == [
        (1, service.UNCERTAIN + "quota"),
        (0, "quota"),
    ]
    assert {(r.attempts, r.last_error) for r in rows[1:]} == {(0, "quota")}


def test_a_plain_failure_still_counts_and_gives_up(
    sqlite_runtime: Runtime, clock: FrozenClock
) -> None:
    """The rate-limit exemption does not keep a notice that keeps failing alive forever."""

    class Broken:
        platform = "wecom"

        def send(self, message: OutgoingMessage) -> str | None:
            raise DeliveryError("system busy")

    rt = sqlite_runtime
    rt.settings.outbox.max_attempts = 2
    rt.senders["wecom"] = Broken()
    _queue(rt, 1)
    assert rt.deliver().retried == 1
    clock.set(clock() + timedelta(hours=2))
    assert rt.deliver().dead == 1
