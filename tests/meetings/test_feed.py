"""A member's personal calendar feed (duty's secret member feed URL) carries the meetings they
attend: period meetings for everyone, the weekly meeting for the core group (in the demo, which
flags nobody core: the leads and admins), each with the invitation's UID and SEQUENCE; a
cancelled one as STATUS:CANCELLED. Duty's own reader still reads the shifts of such a feed."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from teamassist.duty.ical import parse_calendar
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.support.web import give_account, sign_in


@pytest.fixture
def runtime(sqlite_runtime: Runtime) -> Iterator[Runtime]:
    load_demo(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-11-02 09:00")
    yield sqlite_runtime


def _feed(client: TestClient) -> tuple[bytes, dict[str, tuple[str, int, str]]]:
    created = client.post("/api/v1/duty/feeds", json={})
    assert created.status_code == 201, created.text
    path = urlsplit(created.json()["url"]).path
    body = client.get(path).content
    meetings = {
        str(e["SUMMARY"]): (str(e["UID"]), int(str(e["SEQUENCE"])), str(e["STATUS"]))
        for e in Calendar.from_ical(body).walk("VEVENT")
        if str(e["UID"]).startswith("meeting-")
    }
    return body, meetings


def test_meetings_in_the_personal_feed(runtime: Runtime) -> None:
    with TestClient(create_app(runtime, start_background=False)) as admin:
        sign_in(admin)
        listed = {o["key"]: o for o in admin.get("/api/v1/meetings").json()}
        weekly = listed["weekly:2026-11-06"]
        cancelled = admin.post(f"/api/v1/meetings/{weekly['id']}/cancel", json={})
        assert cancelled.status_code == 200
        invite = Calendar.from_ical(
            admin.get(f"/api/v1/meetings/{weekly['id']}/invite.ics").content
        )
        (event,) = invite.walk("VEVENT")

        body, mine = _feed(admin)
        assert mine["11月10日OKR周会"] == (str(event["UID"]), 1, "CANCELLED")
        assert mine["11月17日OKR周会"][2] == "CONFIRMED"
        assert mine["2026年10月OKR月会"][2] == "CONFIRMED"
        # duty's reader skips the meetings (reading one as a shift raises KeyError)
        shifts = parse_calendar(body)
        assert len(shifts) <= body.count(b"X-TEAMASSIST-ROTATION")

    with TestClient(create_app(runtime, start_background=False)) as member:
        sign_in(member, "lisi", give_account(runtime, "lisi"))
        _body, theirs = _feed(member)
        assert "2026年10月OKR月会" in theirs and "2026年11月OKR月会" in theirs
        assert not [title for title in theirs if title.endswith("OKR周会")]
