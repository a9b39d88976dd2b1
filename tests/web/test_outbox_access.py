"""Issue #10 E: the notice queue (every address, every platform error) is for admins only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.chat import ChatDriver
from tests.support.web import give_account, sign_in


def test_member_cannot_list_the_outbox(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    ChatDriver(sqlite_runtime).text("/问题反馈 有通知排队", as_="zhangsan")
    password = give_account(sqlite_runtime, "lisi")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client, "lisi", password)
        api = client.get("/api/v1/outbox")
        assert api.status_code == 403
        assert api.json()["error"] == "core.error.forbidden"
        page = client.get("/outbox", headers={"Accept": "text/html"})
        assert page.status_code == 403
        assert "<table" not in page.text and "需要有权限的人" in page.text
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        rows = client.get("/api/v1/outbox").json()
        assert rows and all("address" in row for row in rows)
        assert client.get("/outbox").status_code == 200
