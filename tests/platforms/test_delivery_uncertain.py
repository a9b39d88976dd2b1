"""Delivery where the platform has no dedupe key (#10 F): a WeCom robot that takes a message and
answers after the client's timeout, and a sender stopped mid-send, against the fake robot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.i18n import t
from teamassist.outbox import service as outbox_service
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.runtime import Runtime
from tests.conftest import make_runtime
from tests.platforms.fakes.wecom import FakeWeCom

KEY = "KEY-duty"


@pytest.fixture(scope="module")
def robot() -> Iterator[FakeWeCom]:
    server = FakeWeCom({KEY}).start()
    yield server
    server.stop()


def _runtime(robot: FakeWeCom, url: str, clock: FrozenClock, policy: str) -> Runtime:
    robot.reset()
    wecom = {
        "enabled": True,
        "api_base": robot.url,
        "robots": {"duty": KEY},
        "timeout_seconds": 0.5,
        "after_uncertain_send": policy,
    }
    return make_runtime(url, clock, wecom=wecom)


def _notify(runtime: Runtime, clock: FrozenClock) -> None:
    with transaction(runtime.factory) as session:
        outbox_service.enqueue(
            session,
            key="n:1",
            platform="wecom",
            address="duty",
            reply=Reply(body="值班提醒"),
            now=clock(),
        )


def _row(runtime: Runtime) -> OutboxMessage:
    with runtime.factory() as session:
        row: OutboxMessage | None = session.scalar(select(OutboxMessage))
        assert row is not None
        return row


@pytest.mark.parametrize(
    ("policy", "copies", "status"),
    [("resend", 2, OutboxStatus.SENT), ("skip", 1, OutboxStatus.SENT)],
)
def test_timeout_after_the_robot_took_the_message(
    robot: FakeWeCom, sqlite_url: str, clock: FrozenClock, policy: str, copies: int, status: str
) -> None:
    runtime = _runtime(robot, sqlite_url, clock, policy)
    try:
        _notify(runtime, clock)
        robot.stall_once = 2.0  # posted, but the answer comes after the 0.5 s timeout
        first = runtime.deliver()
        assert first.retried == 1 and len(robot.received) == 1
        assert (_row(runtime).last_error or "").startswith(outbox_service.UNCERTAIN)
        clock.set(clock() + timedelta(hours=1))
        assert runtime.deliver().sent == 1
        assert len(robot.received) == copies
        if policy == "resend":  # at least once: the second copy says it may be a repeat
            assert robot.received[1].markdown.startswith(t("core.delivery.possible_repeat"))
            assert not robot.received[0].markdown.startswith(t("core.delivery.possible_repeat"))
        else:  # at most once: recorded as sent, unconfirmed
            assert _row(runtime).external_id == "unconfirmed"
        assert _row(runtime).status == status
    finally:
        runtime.close()


@pytest.mark.parametrize(("policy", "copies"), [("resend", 1), ("skip", 0)])
def test_a_sender_stopped_mid_send_is_retried_as_uncertain(
    robot: FakeWeCom, sqlite_url: str, clock: FrozenClock, policy: str, copies: int
) -> None:
    runtime = _runtime(robot, sqlite_url, clock, policy)
    try:
        _notify(runtime, clock)
        # a worker claims the notice ("sending" is committed) and is killed before recording
        with transaction(runtime.factory) as session:
            assert outbox_service.claim_due(session, now=clock(), lease_seconds=120, limit=10)
        assert runtime.deliver().sent == 0  # leased: nobody else sends it meanwhile
        clock.set(clock() + timedelta(minutes=5))
        assert runtime.deliver().sent == 1
        assert len(robot.received) == copies
        if copies:
            assert robot.received[0].markdown.startswith(t("core.delivery.possible_repeat"))
    finally:
        runtime.close()


def test_a_plain_failure_does_not_mark_a_repeat(
    robot: FakeWeCom, sqlite_url: str, clock: FrozenClock
) -> None:
    runtime = _runtime(robot, sqlite_url, clock, "resend")
    try:
        _notify(runtime, clock)
        robot.fail_next(-1, "system busy")  # refused: certainly not posted
        assert runtime.deliver().retried == 1
        clock.set(clock() + timedelta(hours=1))
        assert runtime.deliver().sent == 1
        [message] = robot.received
        assert not message.markdown.startswith(t("core.delivery.possible_repeat"))
    finally:
        runtime.close()
