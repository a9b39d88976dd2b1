"""REST: search and filters, CSV export, item history, lifecycle, report aggregates."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from teamassist.clock import FrozenClock
from teamassist.feedback import queries
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.feedback.support import given_nobody_on_duty, items, member_id
from tests.support.chat import ChatDriver
from tests.support.web import sign_in


def _client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client)
        yield client


@pytest.fixture
def api(demo_runtime: Runtime) -> Iterator[TestClient]:
    """Signed in as the demo admin, every backend."""
    yield from _client(demo_runtime)


@pytest.fixture
def sqlite_api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    """Signed in as the demo admin, SQLite."""
    load_demo(sqlite_runtime)
    yield from _client(sqlite_runtime)


def _runtime(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def _say(client: TestClient, text: str, as_: str) -> None:
    ChatDriver(_runtime(client)).text(text, as_=as_)


def test_requires_sign_in(demo_runtime: Runtime) -> None:
    with TestClient(create_app(demo_runtime, start_background=False)) as client:
        assert client.get("/api/v1/feedback/items").status_code == 401


def test_search_with_filters(api: TestClient) -> None:
    given_nobody_on_duty(_runtime(api))  # everything goes to the first admin
    _say(api, "/问题反馈 支付 100% 卡住 😭", "zhangsan")
    _say(api, "/产品建议 增加 Dark Mode", "lisi")
    _say(api, "/问题反馈 登录失败", "lisi")
    resolved = items(_runtime(api))[-1].id
    _say(api, f"/标注解决 {resolved}", "admin")

    def ids(**params: object) -> list[int]:
        response = api.get("/api/v1/feedback/items", params=params)  # type: ignore[arg-type]
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()["items"] if i["id"] in new]

    new = [i.id for i in items(_runtime(api))][-3:]  # the demo's four items are left aside
    assert ids(q="100%") == [new[0]]  # % is a literal, not a wildcard
    assert ids(q="dark mode") == [new[1]]  # case-insensitive
    assert ids(q="卡住 😭") == [new[0]]
    assert ids(kind="suggestion", date_from="2026-06-01") == [new[1]]
    assert ids(reporter="lisi") == [new[2], new[1]]
    assert ids(status="resolved", date_from="2026-06-01") == [new[2]]
    assert set(ids(status="open,acknowledged", date_from="2026-06-01")) == {new[0], new[1]}
    assert ids(owner="admin", date_from="2026-06-01", date_to="2026-06-01") == new[::-1]
    assert ids(date_from="2026-06-02") == []
    page = api.get("/api/v1/feedback/items", params={"limit": 2}).json()
    assert page["total"] == 7 and len(page["items"]) == 2  # four demo items and three new


def test_the_page_window_is_documented(sqlite_api: TestClient) -> None:
    # given the API's published schema, then the search page's window says what it bounds
    schema = sqlite_api.get("/openapi.json").json()["components"]["schemas"]["FeedbackPage"]
    described = schema["properties"]["window"]["description"]
    assert "newest" in described and "items.csv" in described
    # and a search the index serves has none
    page = sqlite_api.get("/api/v1/feedback/items", params={"q": "上传头像"}).json()
    assert page["window"] is None and page["total"] == 2


def test_a_window_of_common_parts_is_told_by_rest_and_the_board(
    sqlite_api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an old item holding 页面白屏, two newer ones holding its parts, and "common"
    # meaning two items, with a window of the newest two
    given_nobody_on_duty(_runtime(sqlite_api))
    for words in ("旧的页面白屏", "页面白屏又来了", "登录页面", "白屏了"):
        _say(sqlite_api, f"/问题反馈 {words}", "zhangsan")
    monkeypatch.setattr(queries, "GRAM_PROBE", 2)
    monkeypatch.setattr(queries, "SHORT_QUERY_WINDOW", 2)
    # when searched over REST, then nothing in the newest two, and why only they were read
    page = sqlite_api.get("/api/v1/feedback/items", params={"q": "页面白屏"}).json()
    assert (page["items"], page["window"], page["window_reason"]) == ([], 2, "common")
    # and its total is no exact count (tester F14, session 20: total_exact was true)
    assert (page["total"], page["total_exact"]) == (0, False)
    # and the board says how to search them all
    board = sqlite_api.get("/feedback", params={"q": "页面白屏"}).text
    assert "这几个字都很常见，只查找了最近 2 条反馈" in board
    # a wider window finds them, nothing to tell
    monkeypatch.setattr(queries, "SHORT_QUERY_WINDOW", 10_000)
    page = sqlite_api.get("/api/v1/feedback/items", params={"q": "页面白屏"}).json()
    assert len(page["items"]) == 2 and page["window"] is page["window_reason"] is None
    assert page["total_exact"] is True


def test_bad_filters_are_clear_errors(sqlite_api: TestClient) -> None:
    assert sqlite_api.get("/api/v1/feedback/items", params={"status": "nope"}).status_code == 422
    assert sqlite_api.get("/api/v1/feedback/items", params={"kind": "x"}).status_code == 422
    response = sqlite_api.get("/api/v1/feedback/items", params={"owner": "ghost"})
    assert response.status_code == 404 and "ghost" in response.json()["message"]
    assert sqlite_api.get("/api/v1/feedback/items", params={"date_from": "soon"}).status_code == 422


def test_csv_export(api: TestClient) -> None:
    _say(api, '/问题反馈 =HYPERLINK("x") 公式注入 🙂', "zhangsan")
    response = api.get("/api/v1/feedback/items.csv", params={"date_from": "2026-06-01"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    mine = rows[-1]
    assert mine["text"] == '\'=HYPERLINK("x") 公式注入 🙂'  # never run as a formula
    assert mine["kind"] == "bug" and mine["status"] == "open" and mine["reporter"] == "张三"


def test_submit_and_lifecycle_over_rest(sqlite_api: TestClient) -> None:
    runtime = _runtime(sqlite_api)
    given_nobody_on_duty(runtime)
    created = sqlite_api.post(
        "/api/v1/feedback/items", json={"kind": "suggestion", "text": "REST 提交的建议 ✨"}
    )
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    assert created.json()["owner_name"] == "王管理"
    ack = sqlite_api.post(f"/api/v1/feedback/items/{item_id}/acknowledge", json={"note": "收到"})
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    assign = sqlite_api.post(f"/api/v1/feedback/items/{item_id}/assign", json={"owner": "lihua"})
    assert assign.json()["owner_id"] == member_id(runtime, "lihua")
    done = sqlite_api.post(f"/api/v1/feedback/items/{item_id}/resolve", json={"note": "已上线"})
    assert done.json()["status"] == "resolved" and done.json()["resolution_note"] == "已上线"
    twice = sqlite_api.post(f"/api/v1/feedback/items/{item_id}/resolve", json={})
    assert twice.status_code == 409 and "没有做任何修改" in twice.json()["message"]
    detail = sqlite_api.get(f"/api/v1/feedback/items/{item_id}").json()
    assert [h["action"] for h in detail["history"]] == ["acknowledged", "assigned", "resolved"]
    assert detail["history"][1]["label"] == "指派给「李华」"
    assert detail["history"][0]["note"] == "收到" and detail["history"][0]["actor_name"] == "王管理"
    reopened = sqlite_api.post(f"/api/v1/feedback/items/{item_id}/reopen", json={})
    assert reopened.json()["status"] == "open"
    other = sqlite_api.post("/api/v1/feedback/items", json={"text": "另一条"}).json()["id"]
    dup = sqlite_api.post(
        f"/api/v1/feedback/items/{other}/duplicate", json={"original_id": item_id}
    )
    assert dup.json()["duplicate_of_id"] == item_id
    assert sqlite_api.get(f"/api/v1/feedback/items/{item_id}").json()["plus_ones"] == 1
    wont = sqlite_api.post(f"/api/v1/feedback/items/{item_id}/wont-fix", json={"note": "不做"})
    assert wont.json()["status"] == "wont_fix"


def test_unknown_items_and_bad_bodies(sqlite_api: TestClient) -> None:
    missing = sqlite_api.post("/api/v1/feedback/items/4242/resolve", json={})
    assert missing.status_code == 404
    assert missing.json()["message"] == "小助理没有发现id=「4242」的反馈哦，请重新输入"
    assert sqlite_api.post("/api/v1/feedback/items/abc/resolve", json={}).status_code == 422
    too_long = sqlite_api.post("/api/v1/feedback/items", json={"text": "长" * 2001})
    assert too_long.status_code == 422
    assert sqlite_api.post("/api/v1/feedback/items", json={"text": ""}).status_code == 422


def test_members_without_a_desk_role_cannot_act(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    from teamassist.database import transaction
    from teamassist.http import auth
    from teamassist.team import service as team_service

    with transaction(sqlite_runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        lisi = team_service.get_member_by_handle(session, workspace_id=workspace.id, handle="lisi")
        auth.set_password(session, username="lisi", password="pw-lisi", member=lisi)
    ChatDriver(sqlite_runtime).text("/问题反馈 李四看得到但不能处理", as_="zhangsan")
    item_id = items(sqlite_runtime)[-1].id
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client, "lisi", "pw-lisi")
        response = client.post(f"/api/v1/feedback/items/{item_id}/resolve", json={})
        assert response.status_code == 403
    assert items(sqlite_runtime)[-1].status == "open"


def test_report_aggregates_and_response_times(sqlite_api: TestClient, clock: FrozenClock) -> None:
    # Friday 2026-06-05 17:00 local: one bug, acknowledged Monday 10:00, resolved Monday 12:00
    given_nobody_on_duty(_runtime(sqlite_api))
    clock.set(datetime(2026, 6, 5, 9, 0, tzinfo=UTC))
    _say(sqlite_api, "/问题反馈 周五傍晚的问题", "zhangsan")
    _say(sqlite_api, "/产品建议 周五的建议", "lisi")
    bug = items(_runtime(sqlite_api))[-2].id
    clock.set(datetime(2026, 6, 8, 2, 0, tzinfo=UTC))
    _say(sqlite_api, f"/确认反馈 {bug}", "admin")
    clock.set(clock() + timedelta(hours=2))
    _say(sqlite_api, f"/标注解决 {bug}", "admin")
    item = sqlite_api.get(f"/api/v1/feedback/items/{bug}").json()
    assert item["acknowledge_seconds"] == (2 * 24 + 17) * 3600  # wall clock: 65 hours
    assert item["acknowledge_work_seconds"] == 2 * 3600  # Friday 17–18, Monday 9–10
    assert item["resolve_seconds"] == (2 * 24 + 19) * 3600
    assert item["resolve_work_seconds"] == 4 * 3600
    report = sqlite_api.get(
        "/api/v1/feedback/report", params={"date_from": "2026-06-05", "date_to": "2026-06-08"}
    ).json()
    assert report["per_day"] == {
        "2026-06-05": {"bug": 1, "suggestion": 1},
        "2026-06-06": {"bug": 0, "suggestion": 0},
        "2026-06-07": {"bug": 0, "suggestion": 0},
        "2026-06-08": {"bug": 0, "suggestion": 0},
    }
    assert report["total"] == 2 and report["by_status"] == {"resolved": 1, "open": 1}
    assert report["median_acknowledge_work_seconds"] == 2 * 3600
    assert report["median_resolve_seconds"] == (2 * 24 + 19) * 3600
    assert report["load"] == [
        {
            "member_id": member_id(_runtime(sqlite_api), "admin"),
            "name": "王管理",
            "assigned": 2,
            "resolved": 1,
            "open": 1,
        }
    ]
    default = sqlite_api.get("/api/v1/feedback/report").json()
    assert default["date_to"] == "2026-06-08" and default["date_from"] == "2026-05-10"
    assert len(default["per_day"]) == 30
    backwards = sqlite_api.get(
        "/api/v1/feedback/report", params={"date_from": "2026-06-08", "date_to": "2026-06-01"}
    )
    assert backwards.status_code == 422  # the list endpoints' one rule (tester s25 F-25)
    assert "开始日期不能晚于结束日期" in backwards.json()["message"]
