"""Issue 11 (sign-in): 5 failed passwords in 15 minutes for one username and address → 429."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from teamassist.clock import FrozenClock
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import csrf_token

THROTTLED = "登录失败次数太多，请 15 分钟后再试。"


def _try(client: TestClient, username: str, password: str) -> int:
    response = client.post(
        "/login", data={"username": username, "password": password}, follow_redirects=False
    )
    if response.status_code == 429:
        assert THROTTLED in response.text
    return response.status_code


def test_five_failures_lock_that_username_for_the_window(
    sqlite_runtime: Runtime, clock: FrozenClock
) -> None:
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        assert [_try(client, "admin", f"wrong{i}") for i in range(5)] == [200] * 5
        # the right password is refused too while the window holds five failures
        assert _try(client, "admin", "admin") == 429
        assert _try(client, "ADMIN ", "admin") == 429  # same username, as typed differently
        # another username from the same address is not affected
        assert _try(client, "lisi", "wrong") == 200
        clock.set(clock() + timedelta(minutes=15))
        assert _try(client, "admin", "admin") == 303
        logout = client.post(
            "/logout", headers={"X-CSRF-Token": csrf_token(client)}, follow_redirects=False
        )
        assert logout.status_code == 303
        # success cleared the count: four more failures are not yet a lock
        assert [_try(client, "admin", "bad") for _ in range(4)] == [200] * 4
        assert _try(client, "admin", "admin") == 303
