"""WeCom's 20 messages a minute per robot, held by two processes together through one Redis
(issue 16, shared state item 2); a notice over the limit waits without spending an attempt."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.outbox import service as outbox_service
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.runtime import Runtime
from tests.conftest import make_runtime
from tests.platforms.fakes.wecom import FakeWeCom

KEY = "KEY-duty"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeWeCom]:
    server = FakeWeCom({KEY}).start()
    yield server
    server.stop()


@pytest.fixture
def two(
    fake: FakeWeCom, sqlite_url: str, clock: FrozenClock, redis_url: str, prefix: str
) -> Iterator[tuple[Runtime, Runtime]]:
    """Two processes (runtimes) on one database and one Redis, sending to one robot."""
    fake.reset()
    wecom = {"enabled": True, "api_base": fake.url, "robots": {"duty": KEY}}
    scale_out = {"redis_url": redis_url, "redis_prefix": prefix}
    first, second = (
        make_runtime(sqlite_url, clock, wecom=wecom, scale_out=scale_out),
        make_runtime(sqlite_url, clock, wecom=wecom, scale_out=scale_out),
    )
    yield first, second
    first.close()
    second.close()


def _notify(runtime: Runtime, clock: FrozenClock, keys: range) -> None:
    with transaction(runtime.factory) as session:
        for n in keys:
            outbox_service.enqueue(
                session,
                key=f"n:{n}",
                platform="wecom",
                address="duty",
                reply=Reply(body=f"提醒 {n}"),
                now=clock(),
            )


def test_two_processes_send_twenty_a_minute_to_one_robot_together(
    two: tuple[Runtime, Runtime], fake: FakeWeCom, clock: FrozenClock
) -> None:
    first, second = two
    # Given the first process sent 15 notices to the robot this minute
    _notify(first, clock, range(15))
    assert first.deliver().sent == 15
    # When the second process has 10 more for it
    _notify(second, clock, range(15, 25))
    stats = second.deliver()
    # Then it sends the 5 left of the minute, and the other 5 wait in the outbox
    assert (stats.sent, stats.retried) == (5, 5)
    assert len(fake.received) == 20
    with second.factory() as session:
        waiting = list(
            session.scalars(
                select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
            )
        )
    assert len(waiting) == 5
    # without spending an attempt, due again within the minute
    assert all(r.attempts == 0 for r in waiting)
    assert all(clock() < r.next_attempt_at <= clock() + timedelta(seconds=60) for r in waiting)


def test_a_split_notice_resumes_in_the_other_process(
    two: tuple[Runtime, Runtime], fake: FakeWeCom, clock: FrozenClock
) -> None:
    first, second = two
    # Given a notice of three parts, and WeCom busy for the second part in the first process
    with transaction(first.factory) as session:
        outbox_service.enqueue(
            session,
            key="long",
            platform="wecom",
            address="duty",
            reply=Reply(body="\n".join(f"第{i}部分" * 300 for i in range(3))),
            now=clock(),
        )
    sender = first.senders["wecom"]
    original = sender.client.send_markdown  # type: ignore[attr-defined]
    calls: list[int] = []

    def flaky(key: str, content: str) -> None:
        calls.append(1)
        if len(calls) == 2:
            fake.fail_next(-1, "system busy")
        original(key, content)

    sender.client.send_markdown = flaky  # type: ignore[attr-defined]
    assert first.deliver().retried == 1
    assert len(fake.received) == 1
    # When the second process retries it
    clock.set(clock() + timedelta(minutes=1))
    assert second.deliver().sent == 1
    # Then it sends only the two parts still missing, in order
    assert [m.markdown[:3] for m in fake.received] == ["第0部", "第1部", "第2部"]
