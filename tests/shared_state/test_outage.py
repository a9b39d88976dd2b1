"""Redis refusing, timing out or stopping mid-way (issue 16, operations item 2): the shared
state says so as ``SharedStateUnavailable``, and a platform send that needed it (QQ token,
Feishu tenant token, WeCom limit) waits in the outbox without spending an attempt; nothing
goes dead, and the notice goes out once Redis is back."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.outbox import service as outbox_service
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.runtime import Runtime
from teamassist.shared_state import UNAVAILABLE_WAIT_SECONDS, SharedStateUnavailable
from teamassist.shared_state.redis_state import RedisState
from tests.conftest import make_runtime
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes import qq as fakeqq
from tests.platforms.fakes.feishu import FakeFeishu
from tests.platforms.fakes.wecom import FakeWeCom
from tests.platforms.qq.conftest import qq_settings
from tests.support.tcp_proxy import TcpProxy, closed_port

KEY = "KEY-duty"


def _state_calls(state: RedisState) -> list[Any]:
    return [
        lambda: state.get("a"),
        lambda: state.put("a", "1", ttl=5),
        lambda: state.delete("a"),
        lambda: state.take("w", limit=1, window=5),
        lambda: state.free("w"),
        lambda: state.drop_token("t", "x"),
        lambda: state.token("t", lambda: ("x", 60), margin=1),
    ]


def test_every_call_on_a_redis_nobody_listens_on_is_unavailable() -> None:
    state = RedisState(f"redis://:s3cret@127.0.0.1:{closed_port()}/0")
    try:
        for call in _state_calls(state):
            with pytest.raises(SharedStateUnavailable) as raised:
                call()
            # the kind of failure, never the address or the password
            assert "ConnectionError" in str(raised.value)
            assert "s3cret" not in str(raised.value) and "127.0.0.1" not in str(raised.value)
    finally:
        state.close()


@pytest.fixture
def proxy(redis_url: str) -> Iterator[TcpProxy]:
    parts = urlsplit(redis_url)
    forwarder = TcpProxy((parts.hostname or "127.0.0.1", parts.port or 6379)).start()
    yield forwarder
    forwarder.cut()


def _through(redis_url: str, proxy: TcpProxy) -> str:
    return urlsplit(redis_url)._replace(netloc=f"127.0.0.1:{proxy.port}").geturl()


def test_a_redis_stopped_mid_way_is_unavailable_then_back(
    redis_url: str, prefix: str, proxy: TcpProxy
) -> None:
    # Given a state that has been talking to Redis (a 0.5 s back-off after a failure)
    state = RedisState(_through(redis_url, proxy), prefix=prefix, backoff=0.5)
    try:
        assert state.take("w", limit=5, window=60) == 0.0
        # When Redis stops (every connection closed, nobody listening)
        proxy.cut()
        # Then each call says unavailable (none hangs, none passes a redis-py error on)
        for call in _state_calls(state):
            with pytest.raises(SharedStateUnavailable):
                call()
        # And once Redis is back, it is not asked until the back-off is over
        proxy.start()
        with pytest.raises(SharedStateUnavailable, match="skipped"):
            state.get("a")
        time.sleep(0.55)
        # then the same state works again, the window still counting
        assert state.take("w", limit=2, window=60) == 0.0
        assert state.take("w", limit=2, window=60) > 0
    finally:
        state.close()


def _rows(runtime: Runtime) -> list[OutboxMessage]:
    with runtime.factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _enqueue(runtime: Runtime, clock: FrozenClock, platform: str, address: str) -> None:
    with transaction(runtime.factory) as session:
        outbox_service.enqueue(
            session,
            key=f"outage:{uuid.uuid4().hex}",
            platform=platform,
            address=address,
            reply=Reply(body="明天 09:00 值班"),
            now=clock(),
        )


def _assert_waiting(runtime: Runtime, clock: FrozenClock) -> None:
    (row,) = _rows(runtime)
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 0  # no attempt burned: an outage of any length turns nothing dead
    assert row.next_attempt_at is not None
    assert row.next_attempt_at.timestamp() == pytest.approx(
        clock().timestamp() + UNAVAILABLE_WAIT_SECONDS, abs=1
    )
    assert "shared state unreachable" in (row.last_error or "")


@pytest.fixture(scope="module")
def fake_wecom() -> Iterator[FakeWeCom]:
    server = FakeWeCom({KEY}).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fake_feishu() -> Iterator[FakeFeishu]:
    server = FakeFeishu().start()
    yield server
    server.stop()


@pytest.fixture
def fake_qq() -> Iterator[fakeqq.FakeQQ]:
    fake = fakeqq.start()
    yield fake
    assert fake.server is not None
    fake.server.stop()


def _platform(
    name: str, fake_wecom: FakeWeCom, fake_feishu: FakeFeishu, fake_qq: fakeqq.FakeQQ
) -> tuple[dict[str, Any], str, Any]:
    """(runtime settings, an address, how many messages the fake received)."""
    if name == "wecom":
        fake_wecom.reset()
        settings = {"enabled": True, "api_base": fake_wecom.url, "robots": {"duty": KEY}}
        return {"wecom": settings}, "duty", lambda: len(fake_wecom.received)
    if name == "feishu":
        fake_feishu.reset()
        settings = {
            "enabled": True,
            # lark-oapi caches tenant tokens per app id process-wide: a fresh app id per test
            "app_id": f"cli_{uuid.uuid4().hex[:12]}",
            "app_secret": fk.APP_SECRET,
            "domain": fake_feishu.url,
        }
        return {"feishu": settings}, "oc_group", lambda: len(fake_feishu.messages())
    return (
        {"qq": qq_settings(fake_qq)},
        "channel:ch-1",
        lambda: len(fake_qq.messages("/channels/ch-1/messages")),
    )


@pytest.mark.parametrize("platform", ["wecom", "feishu", "qq"])
def test_a_send_waits_while_redis_is_down_and_goes_out_once_it_is_back(
    platform: str,
    sqlite_url: str,
    clock: FrozenClock,
    redis_url: str,
    prefix: str,
    proxy: TcpProxy,
    fake_wecom: FakeWeCom,
    fake_feishu: FakeFeishu,
    fake_qq: fakeqq.FakeQQ,
) -> None:
    # Given a worker whose shared state (the platform's token or limit) is in Redis
    settings, address, received = _platform(platform, fake_wecom, fake_feishu, fake_qq)
    scale_out: dict[str, Any] = {
        "redis_url": _through(redis_url, proxy),
        "redis_prefix": prefix,
        "redis_backoff_seconds": 0,  # the outbox's wait is the subject here
    }
    runtime = make_runtime(sqlite_url, clock, scale_out=scale_out, **settings)
    try:
        _enqueue(runtime, clock, platform, address)
        # When Redis stops and the outbox is delivered
        proxy.cut()
        stats = runtime.deliver()
        # Then the notice waits, with nothing sent, dead or burned
        assert (stats.sent, stats.dead, stats.rate_limited) == (0, 0, 1)
        assert received() == 0
        _assert_waiting(runtime, clock)
        # And once Redis is back and the wait is over, it goes out once
        proxy.start()
        clock.set(clock() + timedelta(seconds=UNAVAILABLE_WAIT_SECONDS))
        assert runtime.deliver().sent == 1
        assert received() == 1
        assert [r.status for r in _rows(runtime)] == [OutboxStatus.SENT]
    finally:
        runtime.close()
