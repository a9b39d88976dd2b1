"""Issue #10 D for the fairness report: days of a year without official holiday data (2027) are
counted on a Monday–Friday guess, and the report says so (pure, REST, dashboard)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from teamassist.duty import fairness
from teamassist.duty.rotation import Shift
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.duty.helpers import at_local

TZ = "Asia/Shanghai"
NOTE = "2027 年的官方节假日安排尚未发布"


def _shift(member: int, day: date) -> Shift:
    return Shift(
        rotation_id=1,
        duty_date=day,
        start=at_local(day, 3),
        end=at_local(day + timedelta(days=1), 3),
        member_ids=(member,),
    )


def test_days_of_2027_make_the_report_provisional() -> None:
    shifts = [_shift(1, date(2026, 12, 31)), _shift(2, date(2027, 1, 1))]
    report = fairness.compute(
        shifts,
        [],
        first=date(2026, 12, 30),
        last=date(2027, 1, 2),
        now=at_local(date(2027, 1, 3), 12),
        timezone=TZ,
    )
    assert report.provisional_years == [2027]
    only_2026 = fairness.compute(
        shifts,
        [],
        first=date(2026, 12, 30),
        last=date(2026, 12, 31),
        now=at_local(date(2027, 1, 3), 12),
        timezone=TZ,
    )
    assert only_2026.provisional_years == []


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        client.post("/login", data={"username": "admin", "password": "admin"})
        yield client


def test_rest_and_page_say_it(api: TestClient) -> None:
    span = {"from": "2026-12-28", "to": "2027-01-03"}
    body = api.get("/api/v1/duty/fairness", params=span).json()
    assert body["provisional"] is True and body["provisional_years"] == [2027]
    older = api.get("/api/v1/duty/fairness", params={"from": "2026-06-01", "to": "2026-06-06"})
    assert older.json()["provisional"] is False and older.json()["provisional_years"] == []
    page = api.get("/duty/fairness", params={"first": "2026-12-28", "last": "2027-01-03"})
    assert page.status_code == 200 and NOTE in page.text
    plain = api.get("/duty/fairness", params={"first": "2026-06-01", "last": "2026-06-06"})
    assert plain.status_code == 200 and NOTE not in plain.text
