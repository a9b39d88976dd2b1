"""Issue #10 E: one object-level rule for reading a feedback item, in chat, REST and dashboard.

The reporter and whoever may work the item (lead/admin, on duty, owner) read it; any other member
gets the refusal /反馈详情 gives — and the same answer by REST and on the dashboard.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from teamassist.database import transaction
from teamassist.http import auth
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.feedback.support import given_nobody_on_duty, items
from tests.support.chat import ChatDriver
from tests.support.web import sign_in

REFUSAL = "小助理无法执行你的指令，需要有权限的人才能使用哦。"


def _accounts(runtime: Runtime, *handles: str) -> None:
    with transaction(runtime.factory) as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        for handle in handles:
            member = team_service.get_member_by_handle(session, workspace_id=ws.id, handle=handle)
            auth.set_password(session, username=handle, password=f"pw-{handle}", member=member)


def _client(runtime: Runtime, handle: str) -> TestClient:
    client = TestClient(create_app(runtime, start_background=False))
    sign_in(client, handle, f"pw-{handle}")
    return client


@pytest.fixture
def item_of_zhangsan(sqlite_runtime: Runtime) -> int:
    load_demo(sqlite_runtime)
    given_nobody_on_duty(sqlite_runtime)
    ChatDriver(sqlite_runtime).text("/问题反馈 张三的私事", as_="zhangsan")
    _accounts(sqlite_runtime, "lisi", "zhangsan", "admin")
    return items(sqlite_runtime)[-1].id


def test_plain_member_cannot_read_someone_elses_item_anywhere(
    sqlite_runtime: Runtime, item_of_zhangsan: int
) -> None:
    item_id = item_of_zhangsan
    chat = ChatDriver(sqlite_runtime).text(f"/反馈详情 {item_id}", as_="lisi")
    assert chat == REFUSAL
    with _client(sqlite_runtime, "lisi") as http:
        api = http.get(f"/api/v1/feedback/items/{item_id}")
        assert api.status_code == 403
        assert api.json() == {"error": "feedback.error.forbidden", "message": REFUSAL}
        page = http.get(f"/feedback/items/{item_id}")
        assert page.status_code == 403
        assert "张三的私事" not in page.text and REFUSAL in page.text


def test_reporter_and_desk_read_it(sqlite_runtime: Runtime, item_of_zhangsan: int) -> None:
    item_id = item_of_zhangsan
    for handle in ("zhangsan", "admin"):
        assert "张三的私事" in ChatDriver(sqlite_runtime).text(f"/反馈详情 {item_id}", as_=handle)
        with _client(sqlite_runtime, handle) as http:
            api = http.get(f"/api/v1/feedback/items/{item_id}")
            assert api.status_code == 200 and api.json()["text"] == "张三的私事"
            assert "张三的私事" in http.get(f"/feedback/items/{item_id}").text


def test_the_owner_reads_an_item_assigned_to_them(
    sqlite_runtime: Runtime, item_of_zhangsan: int
) -> None:
    item_id = item_of_zhangsan
    ChatDriver(sqlite_runtime).text(f"/指派反馈 {item_id} @lisi", as_="admin")
    with _client(sqlite_runtime, "lisi") as http:
        assert http.get(f"/api/v1/feedback/items/{item_id}").status_code == 200
    assert "张三的私事" in ChatDriver(sqlite_runtime).text(f"/反馈详情 {item_id}", as_="lisi")


def test_unknown_id_is_still_not_found(sqlite_runtime: Runtime, item_of_zhangsan: int) -> None:
    with _client(sqlite_runtime, "lisi") as http:
        assert http.get("/api/v1/feedback/items/4242").status_code == 404
        assert http.get("/feedback/items/4242").status_code == 404
