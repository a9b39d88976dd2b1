"""The OpenAPI client on its own: token lifetime, error mapping, the guild mute body."""

from __future__ import annotations

import pytest

from teamassist.adapters.qq.client import QQApiError, QQClient
from teamassist.adapters.qq.config import QQSettings
from teamassist.shared_state import LocalState
from tests.platforms.fakes import qq as fakeqq
from tests.platforms.qq.conftest import qq_settings


def _client(fake: fakeqq.FakeQQ, now: list[float]) -> QQClient:
    return QQClient(QQSettings(**qq_settings(fake)), tokens=LocalState(monotonic=lambda: now[0]))


def test_the_token_is_reused_until_a_minute_before_it_expires(fake_qq: fakeqq.FakeQQ) -> None:
    now = [1000.0]
    client = _client(fake_qq, now)
    try:
        assert client.token() == "token-1"
        now[0] += 7200 - 61
        assert client.token() == "token-1"
        now[0] += 2  # inside the last minute of its 7200 s
        assert client.token() == "token-2"
        assert [c.body for c in fake_qq.calls if c.path == "/app/getAppAccessToken"] == [
            {"appId": fakeqq.APP_ID, "clientSecret": fakeqq.SECRET}
        ] * 2
    finally:
        client.close()


@pytest.mark.parametrize(
    ("status", "code", "transient"),
    [(500, None, True), (503, None, True), (429, None, True), (400, 304027, False)],
)
def test_errors_are_classified(
    fake_qq: fakeqq.FakeQQ, status: int, code: int | None, transient: bool
) -> None:
    client = _client(fake_qq, [0.0])
    fake_qq.fail(status, code=code, path="/messages")
    try:
        with pytest.raises(QQApiError) as caught:
            client.post_message("channel", "ch-1", {"content": "hi"})
        assert caught.value.transient is transient and caught.value.code == code
    finally:
        client.close()


def test_an_unreachable_platform_is_transient() -> None:
    settings = QQSettings(
        enabled=True,
        app_id="1",
        secret="s",
        api_base="http://127.0.0.1:9/",
        auth_base="http://127.0.0.1:9/app/getAppAccessToken",
        timeout_seconds=1,
    )
    client = QQClient(settings)
    try:
        with pytest.raises(QQApiError) as caught:
            client.post_message("group", "G", {"msg_type": 0, "content": "hi"})
        assert caught.value.transient
    finally:
        client.close()


def test_mute_bodies_hold_only_the_value_meant(fake_qq: fakeqq.FakeQQ) -> None:
    client = _client(fake_qq, [0.0])
    try:
        client.mute_guild("g-1", until=1780358400)
        client.mute_guild("g-1", seconds=0)
    finally:
        client.close()
    assert [c.body for c in fake_qq.calls if c.path == "/guilds/g-1/mute"] == [
        {"mute_end_timestamp": "1780358400"},
        {"mute_seconds": "0"},
    ]
