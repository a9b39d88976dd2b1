"""Issue #10 D: a working-time figure that rests on a year without official holiday data says so
(REST item and report, the dashboard's item and report pages, chat /反馈详情); 2027 has no
official data in the library, 2026 has."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from teamassist.clock import FrozenClock
from teamassist.feedback.worktime import provisional_years, working_seconds
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from teamassist.workdays import ChinaWorkdays
from tests.conftest import load_demo
from tests.feedback.support import given_nobody_on_duty, items
from tests.support.chat import ChatDriver
from tests.support.web import sign_in

TZ = "Asia/Shanghai"
NOTE = "工作时间为估算：2027 年的官方节假日安排尚未发布，暂按周一至周五计算"


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    given_nobody_on_duty(sqlite_runtime)  # every item goes to the admin
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        client.post("/login", data={"username": "admin", "password": "admin"})
        yield client


def _handled(client: TestClient, clock: FrozenClock, reported_at: datetime) -> int:
    """A bug reported at ``reported_at``, acknowledged 1 h and resolved 3 h later (UTC)."""
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    chat = ChatDriver(runtime)
    clock.set(reported_at)
    chat.text("/问题反馈 登录页面打不开", as_="zhangsan")
    item_id = items(runtime)[-1].id
    clock.set(reported_at + timedelta(hours=1))
    chat.text(f"/确认反馈 {item_id}", as_="admin")
    clock.set(reported_at + timedelta(hours=3))
    chat.text(f"/标注解决 {item_id}", as_="admin")
    # Months later on the test clock: the fixture's sign-in has expired (web.session_days).
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    sign_in(client, "admin", "admin")
    return item_id


def test_worktime_names_the_provisional_years_of_a_span() -> None:
    cn = ChinaWorkdays()
    start = datetime(2026, 12, 31, 9, tzinfo=UTC)
    assert provisional_years(start, start + timedelta(days=5), tz=TZ, workdays=cn) == {2027}
    assert provisional_years(start, start + timedelta(hours=2), tz=TZ, workdays=cn) == set()
    # 2027-01-04 is a Monday: counted 09:00–18:00 on the Monday–Friday guess
    monday = datetime(2027, 1, 4, 1, tzinfo=UTC)  # 09:00 in Shanghai
    assert working_seconds(monday, monday + timedelta(hours=9), tz=TZ, workdays=cn) == 9 * 3600


def test_rest_item_and_report_flag_a_2027_figure(api: TestClient, clock: FrozenClock) -> None:
    # Wednesday 2027-03-03 10:00 in Shanghai
    item_id = _handled(api, clock, datetime(2027, 3, 3, 2, tzinfo=UTC))
    item = api.get(f"/api/v1/feedback/items/{item_id}").json()
    assert item["acknowledge_work_seconds"] == 3600
    assert item["work_provisional"] is True and item["work_provisional_years"] == [2027]
    listed = api.get("/api/v1/feedback/items").json()["items"]
    assert [i["work_provisional"] for i in listed if i["id"] == item_id] == [True]
    exported = api.get("/api/v1/feedback/items.csv").content.decode("utf-8-sig")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(exported))}
    assert rows[str(item_id)]["work_provisional_years"] == "2027"
    report = api.get(
        "/api/v1/feedback/report", params={"date_from": "2027-03-01", "date_to": "2027-03-05"}
    ).json()
    assert report["median_acknowledge_work_seconds"] == 3600
    assert report["work_provisional"] is True and report["work_provisional_years"] == [2027]


def test_rest_item_and_report_of_2026_are_not_provisional(
    api: TestClient, clock: FrozenClock
) -> None:
    item_id = _handled(api, clock, datetime(2026, 6, 3, 2, tzinfo=UTC))
    item = api.get(f"/api/v1/feedback/items/{item_id}").json()
    assert item["work_provisional"] is False and item["work_provisional_years"] == []
    exported = api.get("/api/v1/feedback/items.csv").content.decode("utf-8-sig")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(exported))}
    assert rows[str(item_id)]["work_provisional_years"] == ""
    report = api.get(
        "/api/v1/feedback/report", params={"date_from": "2026-06-01", "date_to": "2026-06-05"}
    ).json()
    assert report["work_provisional"] is False and report["work_provisional_years"] == []


def test_dashboard_pages_say_it(api: TestClient, clock: FrozenClock) -> None:
    item_id = _handled(api, clock, datetime(2027, 3, 3, 2, tzinfo=UTC))
    page = api.get("/feedback/report", params={"date_from": "2027-03-01", "date_to": "2027-03-05"})
    assert page.status_code == 200 and NOTE in page.text
    assert NOTE in api.get(f"/feedback/items/{item_id}").text
    older = api.get("/feedback/report", params={"date_from": "2026-06-01", "date_to": "2026-06-05"})
    assert older.status_code == 200 and "工作时间为估算" not in older.text


def test_chat_details_say_it(api: TestClient, clock: FrozenClock) -> None:
    runtime: Runtime = api.app.state.runtime  # type: ignore[attr-defined]
    chat = ChatDriver(runtime)
    new = _handled(api, clock, datetime(2027, 3, 3, 2, tzinfo=UTC))
    old = _handled(api, clock, datetime(2026, 6, 3, 2, tzinfo=UTC))
    assert NOTE in chat.text(f"/反馈详情 {new}", as_="admin")
    assert "工作时间为估算" not in chat.text(f"/反馈详情 {old}", as_="admin")
