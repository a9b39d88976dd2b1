"""The sign-in throttle across web replicas (issue 16, operations item 1): five password checks
per username and address in the window for the whole install, not five per replica; with Redis
down each replica still brakes guessing on its own (``http.throttle`` says why)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.clock import FrozenClock
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo, make_runtime
from tests.support.tcp_proxy import closed_port
from tests.web.test_login_throttle import _try

SECRET = "one-secret-for-every-replica"


def _replicas(url: str, clock: FrozenClock, redis_url: str, prefix: str) -> list[Runtime]:
    shared = {"redis_url": redis_url, "redis_prefix": prefix}
    return [
        make_runtime(url, clock, web={"secret_key": SECRET}, scale_out=shared) for _ in range(2)
    ]


@pytest.fixture
def two(
    sqlite_url: str, clock: FrozenClock, redis_url: str, prefix: str
) -> Iterator[list[Runtime]]:
    replicas = _replicas(sqlite_url, clock, redis_url, prefix)
    load_demo(replicas[0])
    yield replicas
    for runtime in replicas:
        runtime.close()


def test_the_sixth_guess_across_two_replicas_is_refused(two: list[Runtime]) -> None:
    with (
        TestClient(create_app(two[0], start_background=False)) as a,
        TestClient(create_app(two[1], start_background=False)) as b,
    ):
        # Given three wrong passwords through replica A and two through replica B
        assert [_try(a, "admin", f"wrong{i}") for i in range(3)] == [200] * 3
        assert [_try(b, "admin", f"wrong{i}") for i in range(2)] == [200] * 2
        # When a sixth attempt reaches either replica, even with the right password
        # Then it is refused: the five checks of the window are used up for the install
        assert _try(a, "admin", "admin") == 429
        assert _try(b, "admin", "admin") == 429
        # And another username from the same address still signs in
        assert _try(b, "lisi", "wrong") == 200


def test_a_right_password_on_one_replica_frees_the_count_on_both(two: list[Runtime]) -> None:
    with (
        TestClient(create_app(two[0], start_background=False)) as a,
        TestClient(create_app(two[1], start_background=False)) as b,
    ):
        assert [_try(a, "admin", "bad") for _ in range(4)] == [200] * 4
        assert _try(b, "admin", "admin") == 303
        # four more wrong guesses on A are not yet a lock: the success cleared the count
        assert [_try(a, "admin", "bad") for _ in range(4)] == [200] * 4
        assert _try(a, "admin", "admin") == 303


def test_with_redis_down_a_replica_counts_on_its_own(
    sqlite_url: str, clock: FrozenClock, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a replica whose Redis refuses connections
    down = {"redis_url": f"redis://127.0.0.1:{closed_port()}/0", "redis_prefix": prefix}
    runtime = make_runtime(sqlite_url, clock, web={"secret_key": SECRET}, scale_out=down)
    load_demo(runtime)
    try:
        with (
            caplog.at_level(logging.WARNING, logger="teamassist.http.throttle"),
            TestClient(create_app(runtime, start_background=False)) as client,
        ):
            # Then sign-in still works (no admin locked out by a cache outage)
            assert _try(client, "admin", "admin") == 303
            client.cookies.clear()
            # And guessing is still braked, in this process: five checks, then 429
            assert [_try(client, "admin", f"wrong{i}") for i in range(5)] == [200] * 5
            assert _try(client, "admin", "admin") == 429
        assert "sign-in throttle counts in this process only" in caplog.text
    finally:
        runtime.close()
