"""A Redis that accepts connections and never answers (issue 16, a tester's find): each writing
chat command took ~15 s and each sign-in ~7 s (redis-py's 5 s socket timeouts, its three default
retries, then the delivery nudge's publish to the same Redis). Now one call waits at most
``scale_out.redis_timeout_seconds`` and Redis is then left alone for
``scale_out.redis_backoff_seconds``; the fallbacks answer meanwhile.

The hung Redis is a local listener made by the test: the kernel accepts from its backlog, and
nothing is ever written back."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.shared_state import SharedStateUnavailable
from teamassist.shared_state.redis_state import RedisState
from teamassist.web.app import create_app
from teamassist.workers import celery_app
from tests.conftest import load_demo, make_runtime
from tests.support.chat import ChatDriver

# What a person may wait for an answer while Redis hangs: the 1 s Redis timeout once, plus the
# command's own work on a loaded test machine (a sign-in's password hash took 1.1 s at load 16).
ANSWER_WITHIN = 3.0


def _count_redis_calls(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every command this runtime's shared state sends to Redis from now on."""
    state = runtime.shared
    assert isinstance(state, RedisState)
    calls: list[object] = []
    send: Any = state.client.execute_command

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(args[0] if args else None)
        return send(*args, **kwargs)

    monkeypatch.setattr(state.client, "execute_command", counted)
    return calls


@pytest.fixture
def hung_redis() -> Iterator[str]:
    """A Redis URL whose server accepts TCP connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(256)
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    listener.close()


def _timed_failure(state: RedisState) -> float:
    started = time.monotonic()
    with pytest.raises(SharedStateUnavailable):
        state.get("x")
    return time.monotonic() - started


def test_a_hung_redis_costs_one_timeout_then_is_left_alone_for_the_backoff(
    hung_redis: str,
) -> None:
    # Given a shared state with a 0.3 s timeout and a 1 s back-off, on a Redis that hangs
    state = RedisState(hung_redis, timeout=0.3, backoff=1.0)
    try:
        # When it is asked: one wait of the timeout (redis-py's own retries are off)
        first = _timed_failure(state)
        assert 0.25 < first < 0.9
        assert state.down()
        # Then during the back-off every call fails at once, naming the last failure's kind
        for _ in range(5):
            assert _timed_failure(state) < 0.05
        with pytest.raises(SharedStateUnavailable, match="TimeoutError"):
            state.take("w", limit=1, window=5)
        # And after it Redis is asked again (and waited for once more)
        time.sleep(1.05)
        assert not state.down()
        assert 0.25 < _timed_failure(state) < 0.9
    finally:
        state.close()


@pytest.fixture
def hung_replica(sqlite_url: str, clock: FrozenClock, hung_redis: str) -> Iterator[Runtime]:
    """A scaled-out web replica (shared state and broker: the hung Redis) with the demo loaded,
    nudging delivery after its commits as ``teamassist serve`` does. SQLite stands in for the
    database: storage is not the subject."""
    runtime = make_runtime(sqlite_url, clock, scale_out={"redis_url": hung_redis})
    load_demo(runtime)
    app = celery_app.make_celery(runtime.settings)
    runtime.kicker.worker = celery_app.Nudger(app, runtime)
    yield runtime
    runtime.kicker.worker = None
    runtime.close()
    app.close()  # no connection pool on the hung broker is left to the next test


def test_chat_commands_answer_promptly_while_redis_hangs(
    hung_replica: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a replica whose Redis (shared state and broker) hangs
    chat = ChatDriver(hung_replica)
    took = []
    asked: list[object] | None = None
    # When members send writing commands that queue notices
    for text in ("/问题反馈 登录页打不开", "/问题反馈 导出很慢", "/问题反馈 图标错位"):
        started = time.monotonic()
        reply = chat.text(text, as_="zhangsan")
        took.append(time.monotonic() - started)
        assert "#" in reply or "反馈" in reply, reply
        if asked is None:
            asked = _count_redis_calls(hung_replica, monkeypatch)
    # Then each is answered within about the Redis timeout (before: ~15 s each), and the ones
    # after the first do not ask Redis at all (its back-off)
    assert max(took) < ANSWER_WITHIN, took
    assert asked == [], asked
    # And nothing is lost: the notices wait in the outbox for the workers (the tick nudges)
    with hung_replica.factory() as session:
        assert len(session.scalars(select(OutboxMessage)).all()) >= 3


def test_sign_in_answers_promptly_while_redis_hangs(
    hung_replica: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a replica whose Redis hangs
    with TestClient(create_app(hung_replica, start_background=False)) as client:
        assert client.get("/login").status_code == 200  # the page's first render, not timed
        took = []
        asked: list[object] | None = None
        # When an admin signs in twice (the throttle falls back to this replica's memory)
        for _ in range(2):
            client.cookies.clear()
            started = time.monotonic()
            response = client.post(
                "/login", data={"username": "admin", "password": "admin"}, follow_redirects=False
            )
            took.append(time.monotonic() - started)
            # Then the sign-in succeeds, within about the Redis timeout (before: ~7 s)
            assert response.status_code == 303, response.text[:300]
            if asked is None:
                asked = _count_redis_calls(hung_replica, monkeypatch)
    assert max(took) < ANSWER_WITHIN, took
    assert asked == [], asked  # the second inside the back-off: Redis not asked
