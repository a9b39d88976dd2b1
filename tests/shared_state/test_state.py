"""The shared-state port on its own: both implementations keep the same promises, and two
RedisStates (two processes) share one token, one limit and one value."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis

from teamassist.shared_state import LocalState, SharedState
from teamassist.shared_state.redis_state import RedisState


@pytest.fixture(params=["local", "redis"])
def state(request: pytest.FixtureRequest) -> Iterator[SharedState]:
    """Each implementation in turn (Redis under the test's own prefix)."""
    if request.param == "local":
        yield LocalState()
        return
    first, _ = request.getfixturevalue("two_states")
    yield first


def counting_fetch(
    tokens: list[str], *, lifetime: float = 7200.0, pause: float = 0.0
) -> Callable[[], tuple[str, float]]:
    """A platform's token endpoint: each call issues the next token, after ``pause`` seconds."""
    lock = threading.Lock()

    def fetch() -> tuple[str, float]:
        time.sleep(pause)
        with lock:
            tokens.append(f"tok-{len(tokens) + 1}")
            return tokens[-1], lifetime

    return fetch


def run_together(count: int, work: Callable[[int], object]) -> list[object]:
    """Run ``work(i)`` in ``count`` threads released at once; their results in order."""
    results: list[object] = [None] * count
    gate = threading.Barrier(count)

    def run(i: int) -> None:
        gate.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


# -- both implementations --------------------------------------------------------------------


def test_a_token_is_fetched_once_and_reused(state: SharedState) -> None:
    issued: list[str] = []
    fetch = counting_fetch(issued)
    assert state.token("qq:token:1", fetch, margin=60) == "tok-1"
    assert state.token("qq:token:1", fetch, margin=60) == "tok-1"
    assert issued == ["tok-1"]


def test_a_token_inside_its_margin_is_fetched_again(state: SharedState) -> None:
    # Given a platform that says its tokens live 60 s, kept with a 60 s margin: never reused
    issued: list[str] = []
    fetch = counting_fetch(issued, lifetime=60)
    state.token("t", fetch, margin=60)
    state.token("t", fetch, margin=60)
    assert issued == ["tok-1", "tok-2"]


def test_dropping_a_refused_token_keeps_a_newer_one(state: SharedState) -> None:
    issued: list[str] = []
    fetch = counting_fetch(issued)
    old = state.token("t", fetch, margin=60)
    state.drop_token("t", "not-the-cached-one")  # a late 401 for a token already replaced
    assert state.token("t", fetch, margin=60) == old
    state.drop_token("t", old)
    assert state.token("t", fetch, margin=60) == "tok-2"


def test_a_failed_fetch_stores_nothing(state: SharedState) -> None:
    def refuse() -> tuple[str, float]:
        raise RuntimeError("wrong secret")

    with pytest.raises(RuntimeError):
        state.token("t", refuse, margin=60)
    assert state.get("t") is None


def test_limit_takes_slots_then_says_how_long_to_wait(state: SharedState) -> None:
    assert [state.take("robot", limit=3, window=60) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = state.take("robot", limit=3, window=60)
    assert 55 < wait <= 60
    assert state.take("other-robot", limit=3, window=60) == 0.0  # per key


def test_a_zero_limit_never_admits(state: SharedState) -> None:
    assert state.take("robot", limit=0, window=60) >= 0.5


def test_values_expire_and_only_new_keeps_the_first(state: SharedState) -> None:
    assert state.put("setup", "first", ttl=30, only_new=True)
    assert not state.put("setup", "second", ttl=30, only_new=True)
    assert state.get("setup") == "first"
    state.put("short", "x", ttl=0.05)
    time.sleep(0.1)
    assert state.get("short") is None
    state.delete("setup")
    assert state.get("setup") is None


def test_tokens_are_never_logged(state: SharedState, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = state.token("t", lambda: ("secret-token-xyz", 7200), margin=60)
    state.drop_token("t", token)
    assert "secret-token-xyz" not in caplog.text


# -- two processes on one Redis ----------------------------------------------------------------


def test_two_processes_refresh_a_token_once(two_states: tuple[RedisState, RedisState]) -> None:
    # Given two processes and a slow token endpoint
    issued: list[str] = []
    fetch = counting_fetch(issued, pause=0.3)
    # When eight threads in each ask for the token at once
    got = run_together(16, lambda i: two_states[i % 2].token("qq:token:1", fetch, margin=60))
    # Then the platform was asked once and everyone uses its token
    assert issued == ["tok-1"]
    assert set(got) == {"tok-1"}


def test_a_shared_token_expires_with_the_platforms_lifetime_less_the_margin(
    two_states: tuple[RedisState, RedisState], redis_url: str, prefix: str
) -> None:
    first, second = two_states
    first.token("feishu:tenant_token:a", lambda: ("t-1", 7200), margin=600)
    ttl = redis.Redis.from_url(redis_url).pttl(prefix + "feishu:tenant_token:a")
    assert 6590_000 < ttl <= 6600_000  # Redis' clock expires it, not a replica's
    # the other process reads it without fetching
    assert second.token("feishu:tenant_token:a", _never, margin=600) == "t-1"


def test_a_token_read_is_remembered_briefly_and_forgotten_when_refused(
    two_states: tuple[RedisState, RedisState], redis_url: str, prefix: str
) -> None:
    # Given a token one process fetched and the other read from Redis
    first, second = two_states
    first.token("feishu:tenant_token:a", lambda: ("t-1", 7200), margin=600)
    assert second.token("feishu:tenant_token:a", _never, margin=600) == "t-1"
    # When Redis stops answering for a moment (every send used to ask it once)
    stopped = redis.Redis.from_url(redis_url)
    stopped.delete(prefix + "feishu:tenant_token:a")
    second.client.close()
    second.client = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    # Then the reading process still has it, without a fetch or a round trip
    assert second.token("feishu:tenant_token:a", _never, margin=600) == "t-1"
    # And a process that drops it as refused asks Redis (here: fetches) on its next send
    first.drop_token("feishu:tenant_token:a", "t-1")
    assert first.token("feishu:tenant_token:a", lambda: ("t-2", 7200), margin=600) == "t-2"


def test_a_dead_refresher_holds_nobody_up_longer_than_its_lock(redis_url: str, prefix: str) -> None:
    # Given a process that took the refresh lock and died (never released it)
    dead = RedisState(redis_url, prefix=prefix, lock_seconds=0.5)
    dead.client.set(prefix + "t:refresh", "someone-elses-lock", px=500)
    alive = RedisState(redis_url, prefix=prefix, lock_seconds=0.5)
    try:
        # When another process needs the token
        started = time.monotonic()
        token = alive.token("t", lambda: ("tok", 7200), margin=60)
        # Then it gets one once the dead lock expired
        assert token == "tok" and time.monotonic() - started < 2.0
    finally:
        dead.close()
        alive.close()


def test_two_processes_share_one_window_exactly(
    two_states: tuple[RedisState, RedisState],
) -> None:
    # When 16 threads in two processes each try 5 sends to one robot allowed 20 a minute
    def burst(i: int) -> int:
        return sum(two_states[i % 2].take("wecom:r", limit=20, window=60) == 0 for _ in range(5))

    taken = run_together(16, burst)
    # Then exactly 20 of the 80 got through
    assert sum(int(n) for n in taken if isinstance(n, int)) == 20


def test_a_shared_window_slides(two_states: tuple[RedisState, RedisState]) -> None:
    first, second = two_states
    assert first.take("r", limit=2, window=0.4) == 0.0
    assert second.take("r", limit=2, window=0.4) == 0.0
    assert first.take("r", limit=2, window=0.4) > 0
    time.sleep(0.45)
    assert second.take("r", limit=2, window=0.4) == 0.0


def test_no_shared_key_is_left_without_an_expiry(
    two_states: tuple[RedisState, RedisState], redis_url: str, prefix: str
) -> None:
    first, second = two_states
    first.token("t", lambda: ("tok", 7200), margin=60)
    second.take("r", limit=1, window=60)
    second.take("r", limit=1, window=60)
    first.put("v", "1", ttl=60)
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=prefix + "*"))
    assert len(keys) == 3
    assert all(client.pttl(key) > 0 for key in keys)


def _never() -> tuple[str, float]:
    raise AssertionError("fetched although another process holds a token")
