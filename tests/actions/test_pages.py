"""The /actions page (TestClient, SQLite): the list with its filters and the ageing series it
embeds for the charts; the browser drawing them is tests/e2e/test_actions_dashboard.py."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.support.web import sign_in


@pytest.fixture
def page(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)  # the demo's items, relative to 2026-06-01 09:00 Beijing
    set_clock(sqlite_runtime, "2026-06-01 09:00")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-id="(\d+)"', html)]


def test_list_filters_and_chart_series(page: TestClient) -> None:
    html = page.get("/actions").text
    assert "团队销项" in html and _ids(html) == [3, 1, 2, 4]  # oldest due first
    assert 'data-state="overdue"' in html and "整理社区常见问题文档" in html
    assert _ids(page.get("/actions", params={"overdue": "1"}).text) == [1]
    assert _ids(page.get("/actions", params={"state": "closed"}).text) == [3]
    assert _ids(page.get("/actions", params={"owner": "lisi"}).text) == [2]
    assert "没有符合条件的销项" in page.get("/actions", params={"source": "meeting"}).text
    # A hand-edited filter value shows everything rather than an error page.
    assert _ids(page.get("/actions", params={"state": "lost", "source": "x"}).text) == [3, 1, 2, 4]
    data = re.search(r'id="actions-chart-data">(.*?)</script>', html, re.S)
    assert data
    chart = json.loads(data.group(1))
    # Not closed: #1 (10 days old, overdue), #2 (6 days, done), #4 (1 day).
    assert chart["age"]["labels"] == ["0-3", "4-7", "8-14", "15-30", "31+"]
    assert chart["age"]["datasets"][0]["data"] == [1, 1, 0, 0, 0]
    assert chart["age"]["datasets"][1]["data"] == [0, 0, 1, 0, 0]
    line = chart["overdue"]
    assert len(line["labels"]) == 30 and line["labels"][-1] == "2026-06-01"
    # #1 was due 3 days ago (05-29 09:00): overdue at the end of 05-29 and every day since;
    # #3 was due 05-28 but done on 05-20: never overdue.
    assert line["datasets"][0]["data"][-5:] == [0, 1, 1, 1, 1]


def test_the_nav_links_the_page(page: TestClient) -> None:
    assert 'href="/actions"' in page.get("/").text
