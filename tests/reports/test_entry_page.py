"""The weekly entry form on the reports pages: it shows what ``/周报`` wrote, saves what the
form holds (CSRF-protected like every dashboard form), and an all-blank form changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.reports.models import WeeklyEntry
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver
from tests.support.web import give_account, sign_in


@pytest.fixture
def web(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    """The demo on Monday 2026-09-28 09:00 (entries then are for the week of 09-21), signed in
    as zhangsan."""
    load_demo(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-09-28 09:00")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client, "zhangsan", give_account(sqlite_runtime, "zhangsan"))
        yield client


def _entry(runtime: Runtime) -> dict[str, str]:
    """zhangsan's entry of the week of 2026-09-21 (the only one written in these tests)."""
    with runtime.factory() as session:
        row = session.scalars(
            select(WeeklyEntry).where(WeeklyEntry.week_start == date(2026, 9, 21))
        ).one()
        return {f: getattr(row, f) for f in ("done", "not_done", "next", "risks", "help")}


def test_the_form_shows_and_saves_the_weekly_entry(web: TestClient) -> None:
    runtime: Runtime = web.app.state.runtime  # type: ignore[attr-defined]
    # given an entry written in chat
    ChatDriver(runtime).text("/周报 完成 接口文档；压测 下周 灰度上线", as_="zhangsan")
    # when the form is opened, it holds those lines for the week of 09-21
    page = web.get("/reports/entry")
    assert page.status_code == 200, page.text
    assert "2026-09-21" in page.text and "接口文档\n压测</textarea>" in page.text
    # when it is saved with risks added and 下周 cleared
    saved = web.post(
        "/reports/entry",
        data={"done": "接口文档\n压测", "next": "", "risks": "人手不足；排期紧"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    entry = _entry(runtime)
    assert entry["risks"] == "人手不足\n排期紧" and entry["next"] == ""
    assert entry["done"] == "接口文档\n压测"
    # an all-blank form is refused and changes nothing
    blank = web.post("/reports/entry", data={"done": " "}, follow_redirects=False)
    assert blank.status_code == 422
    assert _entry(runtime)["risks"] == "人手不足\n排期紧"


def test_a_post_without_the_form_token_is_refused(web: TestClient) -> None:
    del web.headers["X-CSRF-Token"]
    refused = web.post("/reports/entry", data={"done": "偷偷写的"}, follow_redirects=False)
    assert refused.status_code == 403
