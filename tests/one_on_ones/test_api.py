"""REST under /api/v1/one-on-ones (the same functions as chat), the pages, the invitation and
the personal feed; and the privacy walk of okr-wave-spec §3 case 17: a private note of the
director's is absent, text and count, from everything 张三 or an admin can reach."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from teamassist.one_on_ones import ical
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.one_on_ones.support import item_id, make_director, pair_id
from tests.support.web import give_account, sign_in

SECRET = "薪酬调整"


def _ok(response: Any, code: int = 200) -> Any:
    assert response.status_code == code, response.text
    return response.json()


@pytest.fixture
def demo(sqlite_runtime: Runtime) -> Runtime:
    """The demo workspace (loaded on 2026-06-01, 李华 the director) on Sunday 2026-09-20 09:00
    Beijing (sign-ins last days, so the clock is set before anyone signs in)."""
    load_demo(sqlite_runtime)
    make_director(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-09-20 09:00")
    for handle in ("lihua", "zhangsan", "wangwu"):
        give_account(sqlite_runtime, handle)
    return sqlite_runtime


@pytest.fixture
def clients(demo: Runtime) -> Iterator[dict[str, TestClient]]:
    """One signed-in client per person."""
    app = create_app(demo, start_background=False)
    found: dict[str, TestClient] = {}
    with (
        TestClient(app) as admin,
        TestClient(app) as lihua,
        TestClient(app) as zhangsan,
        TestClient(app) as wangwu,
    ):
        sign_in(admin)
        for handle, client in (("lihua", lihua), ("zhangsan", zhangsan), ("wangwu", wangwu)):
            sign_in(client, handle, f"pw-{handle}")
        found = {"admin": admin, "lihua": lihua, "zhangsan": zhangsan, "wangwu": wangwu}
        yield found


def _event(client: TestClient, url: str) -> tuple[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def test_slot_agenda_and_invitation_through_rest(
    demo: Runtime, clients: dict[str, TestClient]
) -> None:
    lihua, zhangsan = clients["lihua"], clients["zhangsan"]
    pair = pair_id(demo)
    # When the director sets 张三's slot to the first Thursday at 10:00 on 2026-09-20
    body = {"slot": {"cadence": "monthly", "nth": 1, "weekday": 4, "at": "10:00"}}
    detail = _ok(lihua.patch(f"/api/v1/one-on-ones/{pair}", json=body))
    october = next(m for m in detail["meetings"] if m["key"] == "2026-10")
    # Then October's is Thursday 10-08 10:00 Beijing (10-01 is 国庆)
    assert october["start_at"].startswith("2026-10-08T02:00")
    # and both people get the same invitation: REQUEST, a stable UID
    url = f"/api/v1/one-on-ones/{pair}/meetings/{october['id']}/invite.ics"
    method, event = _event(lihua, url)
    same_method, same = _event(zhangsan, url)
    uid = str(event["UID"])
    assert (method, same_method, str(same["UID"])) == ("REQUEST", "REQUEST", uid)
    assert uid == f"oneonone-{pair}-2026-10@teamassist.local"
    assert event.decoded("DTSTART").isoformat() == "2026-10-08T02:00:00+00:00"
    assert str(event["SUMMARY"]) == "1on1：李华 ↔ 张三"
    # When 张三 postpones it to Friday 10-09 15:00 with an item on it
    added = _ok(
        zhangsan.post(f"/api/v1/one-on-ones/{pair}/agenda", json={"text": "国庆后复盘"}), 201
    )
    moved = _ok(
        zhangsan.post(
            f"/api/v1/one-on-ones/{pair}/meetings/{october['id']}/move",
            json={"start": "2026-10-09T15:00:00", "note": "出差"},
        )
    )
    assert (moved["moved"], moved["sequence"], moved["key"]) == (True, 1, "2026-10")
    # the same move again (a retry) changes nothing: no new SEQUENCE for calendars to apply
    again = _ok(
        zhangsan.post(
            f"/api/v1/one-on-ones/{pair}/meetings/{october['id']}/move",
            json={"start": "2026-10-09T15:00:00", "note": "出差"},
        )
    )
    assert again["sequence"] == 1
    method, event = _event(lihua, url)
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (uid, 1)
    # Then the moved meeting keeps its items
    detail = _ok(lihua.get(f"/api/v1/one-on-ones/{pair}"))
    assert detail["meetings"][0]["start_at"].startswith("2026-10-09T07:00")
    assert added["id"] in [i["id"] for i in detail["agenda"]]
    # a date alone keeps its time of day, 15:00 (it moved to midnight, found by the tester)
    alone = f"/api/v1/one-on-ones/{pair}/meetings/{october['id']}/move"
    _ok(zhangsan.post(alone, json={"start": "2026-10-12"}))
    detail = _ok(lihua.get(f"/api/v1/one-on-ones/{pair}"))
    assert detail["meetings"][0]["start_at"].startswith("2026-10-12T07:00")
    # a cancelled one is a CANCEL with a higher SEQUENCE
    _ok(lihua.post(f"/api/v1/one-on-ones/{pair}/meetings/{october['id']}/cancel", json={}))
    method, event = _event(zhangsan, url)
    assert (method, int(event["SEQUENCE"]), str(event["STATUS"])) == ("CANCEL", 3, "CANCELLED")


def test_bad_input_through_rest_changes_nothing(
    demo: Runtime, clients: dict[str, TestClient]
) -> None:
    lihua, wangwu = clients["lihua"], clients["wangwu"]
    pair = pair_id(demo)
    before = _ok(lihua.get(f"/api/v1/one-on-ones/{pair}"))
    bad = {"slot": {"cadence": "monthly", "nth": 6, "weekday": 4, "at": "10:00"}}
    assert lihua.patch(f"/api/v1/one-on-ones/{pair}", json=bad).status_code == 422
    # a monthly slot without nth says it is missing (tester s26 B-18: 「…收到：。」)
    bad = {"slot": {"cadence": "monthly", "weekday": 4, "at": "10:00"}}
    refused = lihua.patch(f"/api/v1/one-on-ones/{pair}", json=bad)
    assert (refused.status_code, refused.json()["error"]) == (422, "one_on_ones.error.missing_nth")
    assert refused.json()["message"] == (
        "每月的时段要写第几个（1–5，第一个…第五个），例如 每月第1个周四 10:00；这次没有写。"
    )
    # a weekday true is no Monday (B-2's rule on every body)
    bad = {"slot": {"cadence": "weekly", "weekday": True, "at": "10:00"}}
    refused = lihua.patch(f"/api/v1/one-on-ones/{pair}", json=bad)
    assert refused.status_code == 422, refused.text
    assert "不能是 true 或 false" in refused.text, refused.text
    # a time that is no time is said in Chinese first, as every other field's (B-18: English)
    october = next(m for m in before["meetings"] if m["key"] == "2026-10")
    moved = lihua.post(
        f"/api/v1/one-on-ones/{pair}/meetings/{october['id']}/move",
        json={"start": "2026-12-31T25:00"},
    )
    assert moved.status_code == 422, moved.text
    # a time that does not exist says so (tester s29 G-2: it was pydantic's English)
    assert "「2026-12-31T25:00」里的时刻不存在" in moved.text, moved.text
    assert lihua.post(f"/api/v1/one-on-ones/{pair}/agenda", json={"text": ""}).status_code == 422
    # someone outside the pair gets 404, as for a pair that does not exist
    assert wangwu.get(f"/api/v1/one-on-ones/{pair}").status_code == 404
    assert wangwu.post(f"/api/v1/one-on-ones/{pair}/agenda", json={"text": "x"}).status_code == 404
    assert _ok(wangwu.get("/api/v1/one-on-ones")) == []
    # a second pair of the same two people is a conflict
    ids = before["manager_id"], before["report_id"]
    again = {"manager_id": ids[0], "report_id": ids[1]}
    assert lihua.post("/api/v1/one-on-ones", json=again).status_code == 409
    # an admin who is not the director makes no pair (it would be anyone's manager), nor does
    # a member who is not the director
    assert clients["admin"].post("/api/v1/one-on-ones", json=again).status_code == 403
    assert wangwu.post("/api/v1/one-on-ones", json=again).status_code == 403
    assert _ok(lihua.get(f"/api/v1/one-on-ones/{pair}")) == before


def _export_text(admin: TestClient) -> str:
    response = admin.get("/api/v1/workspace/export")
    assert response.status_code == 200, response.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        parts = [archive.read(name).decode("utf-8-sig") for name in archive.namelist()]
    # JSON may escape non-ASCII: read it back so the search sees the text either way
    return "\n".join(
        json.dumps(json.loads(p), ensure_ascii=False) if p.lstrip().startswith("{") else p
        for p in parts
    )


def _feed(client: TestClient) -> str:
    created = _ok(client.post("/api/v1/duty/feeds", json={}), 201)
    path = created["url"].split("://", 1)[-1]
    path = path[path.index("/") :]
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.text


def test_a_private_note_leaks_nowhere(demo: Runtime, clients: dict[str, TestClient]) -> None:
    lihua, zhangsan, admin = clients["lihua"], clients["zhangsan"], clients["admin"]
    pair = pair_id(demo)
    # Given the director's private note (the demo's) and one added now through REST
    note = _ok(
        lihua.post(
            f"/api/v1/one-on-ones/{pair}/agenda", json={"text": "绩效沟通", "private": True}
        ),
        201,
    )
    hidden = [item_id(demo, SECRET), note["id"]]
    own = _ok(lihua.get(f"/api/v1/one-on-ones/{pair}"))
    assert {SECRET, "绩效沟通"} <= {i["text"] for i in own["agenda"]}
    shared = [i for i in own["agenda"] if not i["private"]]
    meeting = own["meetings"][0]["id"]

    for who, client in (("zhangsan", zhangsan), ("admin", admin)):
        # REST: the list, the pair, the invitation
        pages = [
            client.get("/api/v1/one-on-ones"),
            client.get(f"/api/v1/one-on-ones/{pair}"),
            client.get(f"/api/v1/one-on-ones/{pair}/meetings/{meeting}/invite.ics"),
            client.get("/one-on-ones"),
            client.get(f"/one-on-ones/{pair}"),
            client.post("/api/v1/chat", json={"text": "/一对一 @李华"}),
            client.post("/api/v1/chat", json={"text": "/一对一"}),
        ]
        for response in pages:
            assert response.status_code == 200, (who, response.request.url, response.text)
            assert SECRET not in response.text and "绩效沟通" not in response.text, who
            assert "🔒" not in response.text, who  # the private mark
        detail = pages[1].json()
        if who == "zhangsan":
            # not even a count: 张三's agenda is exactly the shared items, in REST and on the page
            assert [i["id"] for i in detail["agenda"]] == [i["id"] for i in shared]
            assert pages[4].text.count("data-done=") == len(shared)
        else:
            assert detail["agenda"] is None and detail["prep"] is None
        # the private items answer as missing, to every verb
        for hidden_id in hidden:
            base = f"/api/v1/one-on-ones/{pair}/agenda/{hidden_id}"
            assert client.post(f"{base}/check").status_code == 404
            assert client.post(f"{base}/action", json={"due": "2026-06-10"}).status_code == 404
        # the personal calendar feed carries the 1on1 but no agenda
        if who == "zhangsan":
            feed = _feed(client)
            assert "1on1：李华 ↔ 张三" in feed.replace("\r\n ", "")
            assert SECRET not in feed and "绩效沟通" not in feed

    # the chat history of the web chat shows 张三 nothing either
    assert SECRET not in zhangsan.get("/chat").text


def test_the_workspace_export_withholds_private_notes(
    demo: Runtime, clients: dict[str, TestClient]
) -> None:
    # Given the demo's private note and shared items, when an admin exports the workspace
    exported = _export_text(clients["admin"])
    # Then the shared items are in it (they are the workspace's) and the private note is not
    assert "晋升答辩准备" in exported and "Q1规划" in exported
    assert SECRET not in exported


def _people(event: Any) -> tuple[tuple[str, str], list[tuple[str, str, str]]]:
    organizer = event["ORGANIZER"]
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    return (
        (str(organizer), str(organizer.params["CN"])),
        [(str(a), str(a.params["CN"]), str(a.params["ROLE"])) for a in attendees],
    )


def test_the_invitation_names_the_manager_as_organizer_and_both_as_attendees(
    demo: Runtime, clients: dict[str, TestClient]
) -> None:
    lihua, zhangsan = clients["lihua"], clients["zhangsan"]
    pair = pair_id(demo)
    # Given 张三's slot on the first Thursday, two occurrences ahead
    body = {"slot": {"cadence": "monthly", "nth": 1, "weekday": 4, "at": "10:00"}}
    detail = _ok(lihua.patch(f"/api/v1/one-on-ones/{pair}", json=body))
    first, second = detail["meetings"][0]["id"], detail["meetings"][1]["id"]
    base = f"/api/v1/one-on-ones/{pair}/meetings"
    # When each downloads the invitations (parsed back with icalendar)
    _method, event = _event(lihua, f"{base}/{first}/invite.ics")
    organizer, attendees = _people(event)
    # Then 李华, the manager, organizes; both attend, by name, as required participants
    manager_address = organizer[0]
    assert organizer[1] == "李华"
    # ROLE (and CUTYPE) describe a participant: RFC 5545 §3.8.4.3 gives ORGANIZER neither
    assert set(event["ORGANIZER"].params) == {"CN"}
    assert [(name, role) for _a, name, role in attendees] == [
        ("李华", "REQ-PARTICIPANT"),
        ("张三", "REQ-PARTICIPANT"),
    ]
    # no email is known, so each is a stable urn:uuid (the organizer is also an attendee)
    addresses = [a for a, _n, _r in attendees]
    assert all(a.startswith("urn:uuid:") for a in addresses)
    assert addresses[0] == manager_address and addresses[1] != manager_address
    # the same people, the same addresses: 张三's copy and the next occurrence
    assert _people(_event(zhangsan, f"{base}/{first}/invite.ics")[1]) == (organizer, attendees)
    assert _people(_event(zhangsan, f"{base}/{second}/invite.ics")[1]) == (organizer, attendees)
    # and a cancellation still names them (a calendar app matches the CANCEL to its people)
    _ok(lihua.post(f"{base}/{second}/cancel", json={}))
    method, cancelled = _event(zhangsan, f"{base}/{second}/invite.ics")
    assert method == "CANCEL" and _people(cancelled) == (organizer, attendees)
    # the personal feed carries the same attendees
    feed = _feed(zhangsan).replace("\r\n ", "")
    assert f"ORGANIZER;CN=李华:{manager_address}" in feed
    assert "ATTENDEE;CN=张三;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT:" in feed


def test_a_known_email_is_a_mailto_address() -> None:
    pair = OneOnOne(id=3, workspace_id=1, manager_id=10, report_id=11)
    start = datetime(2026, 10, 8, 2, tzinfo=UTC)
    meeting = OneOnOneMeeting(
        id=5, key="2026-10", start_at=start, end_at=start, status="scheduled", sequence=0
    )
    text = ical.invitation(
        pair,
        meeting,
        title="1on1",
        names={10: "李华", 11: "张三"},
        now=start,
        emails={10: "lihua@example.com"},
    )
    event = Calendar.from_ical(text).walk("VEVENT")[0]
    organizer, attendees = _people(event)
    assert organizer == ("mailto:lihua@example.com", "李华")
    assert attendees[0][0] == "mailto:lihua@example.com"
    assert attendees[1][0] == ical.address(pair, 11, {}) and attendees[1][0].startswith("urn:")
