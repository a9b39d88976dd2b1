"""Redis for the shared-state tests: database 6 of the test Redis, each test under its own key
prefix (tests run in parallel, other engineers' tests use other databases), its keys deleted
after it. Skips without ``TEAMASSIST_TEST_REDIS_URL`` (fails on CI / all-backends runs)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import redis

from teamassist.shared_state.redis_state import RedisState

ENV = "TEAMASSIST_TEST_REDIS_URL"
DATABASE = 6


def redis_test_url() -> str:
    """The test Redis, database 6; skip (or fail on CI) without one."""
    url = os.environ.get(ENV)
    if not url:
        message = f"{ENV} is not set; scripts/test-services.sh starts a redis-server"
        if os.environ.get("CI") == "true" or os.environ.get("TEAMASSIST_TEST_ALL_BACKENDS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return urlsplit(url)._replace(path=f"/{DATABASE}").geturl()


@pytest.fixture
def redis_url() -> str:
    return redis_test_url()


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; every key under it is deleted afterwards."""
    name = f"test-{uuid.uuid4().hex[:12]}:"
    yield name
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=name + "*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def two_states(redis_url: str, prefix: str) -> Iterator[tuple[RedisState, RedisState]]:
    """Two RedisStates on one Redis (two pools: as two processes would have)."""
    first, second = RedisState(redis_url, prefix=prefix), RedisState(redis_url, prefix=prefix)
    yield first, second
    first.close()
    second.close()
