"""REST under /api/v1/meetings (the same functions as chat) and the .ics invitation: a stable
UID, SEQUENCE bumped on each change, METHOD:CANCEL once cancelled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.support.web import give_account, sign_in


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    """The demo workspace on Monday 2026-11-02 09:00, signed in as its admin."""
    load_demo(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-11-02 09:00")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def _ok(response: Any, code: int = 200) -> Any:
    assert response.status_code == code, response.text
    return response.json()


def _event(client: TestClient, occurrence_id: int) -> tuple[str, Any]:
    response = client.get(f"/api/v1/meetings/{occurrence_id}/invite.ics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def test_list_move_cancel_and_the_invitation(api: TestClient) -> None:
    found = _ok(api.get("/api/v1/meetings"))
    by_key = {o["key"]: o for o in found}
    monthly = by_key["monthly:2026-10"]
    assert monthly["title"] == "2026年10月OKR月会"
    assert monthly["start_at"].startswith("2026-11-03T00:30")  # 08:30 Beijing
    weekly = by_key["weekly:2026-11-06"]

    method, event = _event(api, weekly["id"])
    uid = str(event["UID"])
    assert (method, int(event["SEQUENCE"]), str(event["STATUS"])) == ("REQUEST", 0, "CONFIRMED")
    assert str(event["LOCATION"]) == "3号楼2层 大会议室"
    assert event.decoded("DTSTART").isoformat() == "2026-11-10T00:30:00+00:00"

    moved = _ok(
        api.post(
            f"/api/v1/meetings/{weekly['id']}/move",
            json={"start": "2026-11-11T14:00:00", "note": "客户来访"},
        )
    )
    assert moved["start_at"].startswith("2026-11-11T06:00") and moved["sequence"] == 1
    assert moved["warnings"] == []  # a Wednesday
    method, event = _event(api, weekly["id"])
    assert (method, str(event["UID"]), int(event["SEQUENCE"])) == ("REQUEST", uid, 1)
    assert event.decoded("DTSTART").isoformat() == "2026-11-11T06:00:00+00:00"

    cancelled = _ok(api.post(f"/api/v1/meetings/{weekly['id']}/cancel", json={"note": "出差"}))
    assert (cancelled["status"], cancelled["sequence"]) == ("cancelled", 2)
    method, event = _event(api, weekly["id"])
    assert (method, str(event["UID"]), int(event["SEQUENCE"])) == ("CANCEL", uid, 2)
    assert str(event["STATUS"]) == "CANCELLED"

    again = api.post(f"/api/v1/meetings/{weekly['id']}/cancel", json={})
    assert (again.status_code, again.json()["error"]) == (409, "meetings.error.cancelled")
    past = api.post(f"/api/v1/meetings/{monthly['id']}/move", json={"start": "2026-11-01T09:00"})
    assert (past.status_code, past.json()["error"]) == (422, "meetings.error.past")
    missing = api.post("/api/v1/meetings/999999/cancel", json={})
    assert (missing.status_code, missing.json()["error"]) == (404, "meetings.error.not_found")


def test_members_may_not_move_or_cancel(api: TestClient) -> None:
    weekly = next(o for o in _ok(api.get("/api/v1/meetings")) if o["kind"] == "weekly")
    runtime: Runtime = api.app.state.runtime  # type: ignore[attr-defined]
    with TestClient(create_app(runtime, start_background=False)) as other:
        sign_in(other, "lisi", give_account(runtime, "lisi"))
        assert len(_ok(other.get("/api/v1/meetings"))) > 0  # members see them
        refused = other.post(f"/api/v1/meetings/{weekly['id']}/cancel", json={})
        assert (refused.status_code, refused.json()["error"]) == (403, "meetings.error.not_allowed")
    after = _ok(api.get("/api/v1/meetings"))
    assert next(o for o in after if o["id"] == weekly["id"])["status"] == "scheduled"


def test_a_move_onto_national_day_answers_with_a_warning(api: TestClient) -> None:
    # given the demo's weekly meeting of 11-06; when moved onto 国庆 2027 (Friday 10-01)
    weekly = {o["key"]: o for o in _ok(api.get("/api/v1/meetings"))}["weekly:2026-11-06"]
    moved = _ok(
        api.post(f"/api/v1/meetings/{weekly['id']}/move", json={"start": "2027-10-01T09:00"})
    )
    # then it is moved all the same, and the answer carries the warning
    assert moved["start_at"].startswith("2027-10-01T01:00") and moved["sequence"] == 1
    warning, typo = moved["warnings"]
    # (with its year: it is another year than today's)
    assert warning.startswith("注意：2027年10月1日（周五）09:00是法定节假日，不是工作日")
    # and it now comes after the series' next meetings: said too (tester s23 F8)
    assert typo.startswith("注意：同一系列的下一次会议 #"), typo


def test_the_page_shows_the_warning_after_a_move_onto_a_saturday(api: TestClient) -> None:
    weekly = {o["key"]: o for o in _ok(api.get("/api/v1/meetings"))}["weekly:2026-11-06"]
    response = api.post(
        f"/meetings/{weekly['id']}/move", data={"start": "2026-11-07T09:00"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    assert f"day_off={weekly['id']}" in response.headers["location"]
    shown = api.get(response.headers["location"])
    assert "注意：11月7日（周六）09:00是周末，不是工作日" in shown.text


def test_the_page_reads_the_dates_chat_reads_full_width_digits_too(api: TestClient) -> None:
    # given the weekly meeting of 11-06; when the page moves it as the tester typed it
    weekly = {o["key"]: o for o in _ok(api.get("/api/v1/meetings"))}["weekly:2026-11-06"]
    response = api.post(
        f"/meetings/{weekly['id']}/move",
        data={"start": "１１月１２日 １０：００"},
        follow_redirects=False,
    )
    # then it moves as `/改期 … １１月１２日 １０：００` would: 10:00 Beijing
    assert response.status_code == 303, response.text
    moved = {o["id"]: o for o in _ok(api.get("/api/v1/meetings"))}[weekly["id"]]
    assert moved["start_at"].startswith("2026-11-12T02:00")
    # and words after the time, or no date at all, get the hint with examples that do not age
    for bad in ("１１月１３日 １０：００ 多余", "下下下周"):
        refused = api.post(f"/meetings/{weekly['id']}/move", data={"start": bad})
        assert refused.status_code >= 400
        assert "不是有效的日期或时间" in refused.text and "明天 10:00" in refused.text
        assert "2026-10-13" not in refused.text
    again = {o["id"]: o for o in _ok(api.get("/api/v1/meetings"))}[weekly["id"]]
    assert again["start_at"] == moved["start_at"]


def test_a_move_to_a_date_alone_keeps_the_meetings_time_of_day(api: TestClient) -> None:
    """``{"start": "2026-11-11"}`` was read as midnight in Beijing (16:00 UTC the day before);
    chat's ``/改期 … 2026-11-11`` keeps the meeting's time of day, and so does REST now."""
    weekly = {o["key"]: o for o in _ok(api.get("/api/v1/meetings"))}["weekly:2026-11-06"]
    assert weekly["start_at"].startswith("2026-11-10T00:30")  # 08:30 Beijing
    moved = _ok(api.post(f"/api/v1/meetings/{weekly['id']}/move", json={"start": "2026-11-11"}))
    assert moved["start_at"].startswith("2026-11-11T00:30"), moved
    # a date with a time is still read as written (the team's wall clock)
    moved = _ok(
        api.post(f"/api/v1/meetings/{weekly['id']}/move", json={"start": "2026-11-12T15:00"})
    )
    assert moved["start_at"].startswith("2026-11-12T07:00"), moved
    # and the ends of what a date holds are past / too far, not a 500
    for start, code in (("0001-01-01", "past"), ("9999-12-31", "too_far")):
        response = api.post(f"/api/v1/meetings/{weekly['id']}/move", json={"start": start})
        assert response.status_code == 422, response.text
        assert code in response.text, response.text


def test_the_page_says_past_or_too_far_at_the_ends_of_the_years(api: TestClient) -> None:
    """Today's tester: the page's datetime-local ``0001-01-01T00:00`` answered the generic
    ``core.error.out_of_range`` (the zone arithmetic overflowed), REST said "past"."""
    weekly = {o["key"]: o for o in _ok(api.get("/api/v1/meetings"))}["weekly:2026-11-06"]
    for start, says in (("0001-01-01T00:00", "已经过去"), ("9999-12-31T23:59", "太远")):
        refused = api.post(f"/meetings/{weekly['id']}/move", data={"start": start})
        assert refused.status_code >= 400, refused.text
        assert says in refused.text, refused.text
        assert "超出了可以保存的范围" not in refused.text
    again = {o["id"]: o for o in _ok(api.get("/api/v1/meetings"))}[weekly["id"]]
    assert again["start_at"] == weekly["start_at"]


def test_the_page_reads_the_whole_datetime_local_value(api: TestClient) -> None:
    """Session 14's testers: the page read the first 16 characters of the datetime-local value,
    so ``…T10:00 明天``, ``…T10:00+08:00`` and ``…T10:00:99`` moved the meeting to 10:00."""
    weekly = {o["key"]: o for o in _ok(api.get("/api/v1/meetings"))}["weekly:2026-11-06"]
    for bad in (
        "2026-11-12T10:00 明天",
        "2026-11-12T10:00+08:00",
        "2026-11-12T10:00:99",
        "2026-11-12T10:00:00.5",
        "2026-11-12T10",
        "2026-02-30T10:00",
    ):
        refused = api.post(f"/meetings/{weekly['id']}/move", data={"start": bad})
        assert refused.status_code >= 400, (bad, refused.text)
        assert "不是有效的日期或时间" in refused.text, (bad, refused.text)
    unmoved = {o["id"]: o for o in _ok(api.get("/api/v1/meetings"))}[weekly["id"]]
    assert (unmoved["start_at"], unmoved["sequence"]) == (weekly["start_at"], 0)
    # what the input sends, with or without seconds, moves it (the team's wall clock)
    for sent, utc in (
        ("2026-11-12T10:00", "2026-11-12T02:00:00"),
        ("2026-11-13T10:15:30", "2026-11-13T02:15:30"),
    ):
        response = api.post(
            f"/meetings/{weekly['id']}/move", data={"start": sent}, follow_redirects=False
        )
        assert response.status_code == 303, response.text
        moved = {o["id"]: o for o in _ok(api.get("/api/v1/meetings"))}[weekly["id"]]
        assert moved["start_at"].startswith(utc), moved


@pytest.mark.parametrize(
    ("start", "local_time"),
    [
        ("2026-11-11T03:00:00+08:00", "03:00"),  # in the night on the team's clock
        ("2026-11-11T08:30:00+14:00", "02:30"),  # a wrong offset: 02:30 in Beijing
        ("2026-11-11T22:00:00", "22:00"),  # from 22:00 on
    ],
)
def test_a_move_to_the_night_answers_with_a_warning(
    api: TestClient, start: str, local_time: str
) -> None:
    """Tester s25 F-22: REST moved the weekly meeting to 03:00 and 02:30 team time with
    ``"warnings": []`` and announced it."""
    weekly = {o["key"]: o for o in _ok(api.get("/api/v1/meetings"))}["weekly:2026-11-06"]
    moved = _ok(api.post(f"/api/v1/meetings/{weekly['id']}/move", json={"start": start}))
    assert moved["sequence"] == 1  # moved all the same
    assert moved["warnings"] == [
        f"注意：新的时间是团队时间（Asia/Shanghai）11月11日（周三）{local_time}，在夜里；"
        f"会议仍按这个时间召开。如果时区或时间写错了，请再 /改期 {weekly['id']}。"
    ]


def test_a_move_early_in_the_day_is_not_warned(api: TestClient) -> None:
    weekly = {o["key"]: o for o in _ok(api.get("/api/v1/meetings"))}["weekly:2026-11-06"]
    moved = _ok(
        api.post(f"/api/v1/meetings/{weekly['id']}/move", json={"start": "2026-11-11T07:00"})
    )
    assert moved["warnings"] == []
