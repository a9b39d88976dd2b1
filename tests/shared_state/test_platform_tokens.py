"""QQ's access token and Feishu's tenant token, shared by two processes through one Redis:
fetched once, refreshed once, a refused one replaced once (issue 16, shared state item 1)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.adapters.feishu.tokens import TOKEN_MARGIN_SECONDS, SharedTokenCache
from teamassist.adapters.qq.client import QQClient
from teamassist.adapters.qq.config import QQSettings
from teamassist.shared_state import redis_state
from teamassist.shared_state.redis_state import RedisState
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes import qq as fakeqq
from tests.platforms.fakes.feishu import FakeFeishu
from tests.platforms.qq.conftest import qq_settings
from tests.shared_state.test_state import run_together


@pytest.fixture
def fake_qq() -> Iterator[fakeqq.FakeQQ]:
    fake = fakeqq.start()
    yield fake
    assert fake.server is not None
    fake.server.stop()


@pytest.fixture
def qq_pair(
    fake_qq: fakeqq.FakeQQ, two_states: tuple[RedisState, RedisState]
) -> Iterator[tuple[QQClient, QQClient]]:
    """Two processes' QQ clients for one bot, on one Redis."""
    settings = QQSettings(**qq_settings(fake_qq))
    first = QQClient(settings, tokens=two_states[0])
    second = QQClient(settings, tokens=two_states[1])
    yield first, second
    first.close()
    second.close()


def test_two_processes_sending_at_once_use_one_qq_token(
    fake_qq: fakeqq.FakeQQ, qq_pair: tuple[QQClient, QQClient]
) -> None:
    # When eight notices go out of each process at the same moment
    def send(i: int) -> Any:
        return qq_pair[i % 2].post_message("channel", "ch-1", {"content": f"n{i}"})

    run_together(16, send)
    # Then QQ issued one token, and (a second token would void the first) none was refused
    assert fake_qq.tokens_issued == 1
    posted = fake_qq.messages("/channels/ch-1/messages")
    assert len(posted) == 16
    assert {c.headers["authorization"] for c in posted} == {"QQBot token-1"}


def test_a_refused_qq_token_is_replaced_once_for_both_processes(
    fake_qq: fakeqq.FakeQQ, qq_pair: tuple[QQClient, QQClient]
) -> None:
    first, second = qq_pair
    first.post_message("channel", "ch-1", {"content": "a"})
    # Given QQ voided the shared token (someone else fetched token-2 with the bot's secret)
    fake_qq.tokens_issued += 1
    # When the first process is refused (401) it fetches a new one
    first.post_message("channel", "ch-1", {"content": "b"})
    # Then the second process sends with that one, without asking QQ again
    second.post_message("channel", "ch-1", {"content": "c"})
    assert fake_qq.tokens_issued == 3
    assert [c.headers["authorization"] for c in fake_qq.messages("/channels/ch-1/messages")] == [
        "QQBot token-1",
        "QQBot token-3",
        "QQBot token-3",
    ]


@pytest.fixture(scope="module")
def fake_feishu() -> Iterator[FakeFeishu]:
    server = FakeFeishu().start()
    yield server
    server.stop()


def test_two_processes_fetch_one_feishu_tenant_token(
    fake_feishu: FakeFeishu,
    two_states: tuple[RedisState, RedisState],
    redis_url: str,
    prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given two processes' lark-oapi token caches for one app on one Redis, each remembering
    # a token it read for 0.2 s (30 s in production)
    monkeypatch.setattr(redis_state, "TOKEN_MEMO_SECONDS", 0.2)
    fake_feishu.reset()
    settings = FeishuSettings(
        enabled=True,
        app_id=f"cli_{uuid.uuid4().hex[:12]}",
        app_secret=fk.APP_SECRET,
        domain=fake_feishu.url,
    )
    caches = [SharedTokenCache(), SharedTokenCache()]
    for cache, state in zip(caches, two_states, strict=True):
        cache.register(settings, state)
    key = f"self_tenant_token:{settings.app_id}"
    # When sixteen calls in the two processes need the tenant token at once
    got = run_together(16, lambda i: caches[i % 2].get(key))
    # Then Feishu was asked once, and the token is kept for its lifetime less the margin
    assert len(fake_feishu.token_requests) == 1
    assert set(got) == {"t-fake-1"}
    ttl = redis.Redis.from_url(redis_url).pttl(f"{prefix}feishu:tenant_token:{settings.app_id}")
    expected_ms = (fake_feishu.token_ttl - TOKEN_MARGIN_SECONDS) * 1000
    assert expected_ms - 10_000 < ttl <= expected_ms
    # And a token lark-oapi forgets (Feishu refused it) is fetched again once, by the process
    # it was refused in at once, by the other when its memory of the old one runs out
    caches[0].set(key, "", 0)
    assert caches[0].get(key) == "t-fake-2"
    time.sleep(0.3)
    assert caches[1].get(key) == "t-fake-2"
    assert len(fake_feishu.token_requests) == 2
