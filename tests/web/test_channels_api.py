"""Channels over REST: set and clear the night quiet window; bad input changes nothing; notices
queued inside the window wait until it ends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.chat import notify
from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team.models import Team
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import sign_in


@pytest.fixture
def http(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def _duty_room(http: TestClient) -> dict[str, object]:
    return next(c for c in http.get("/api/v1/channels").json() if c["address"] == "duty-room")


def test_quiet_window_set_used_and_cleared(
    http: TestClient, sqlite_runtime: Runtime, clock: FrozenClock
) -> None:
    room = _duty_room(http)
    url = f"/api/v1/channels/{room['id']}"
    changed = http.patch(url, json={"quiet_start": "22:00", "quiet_end": "07:30"}).json()
    assert (changed["quiet_start"], changed["quiet_end"]) == ("22:00", "07:30")
    # a notice at 23:00 Shanghai waits until 07:30 the next morning
    clock.set(datetime(2026, 6, 1, 15, 0, tzinfo=UTC))
    with transaction(sqlite_runtime.factory) as session:
        team = session.scalar(select(Team))
        assert team is not None
        notify.to_channels(
            session,
            team=team,
            purpose="internal",
            reply=Reply(body="夜间通知"),
            key="test.night",
            now=clock(),
        )
    with sqlite_runtime.factory() as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.address == "duty-room"))
        assert row is not None
        assert row.next_attempt_at == datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
    cleared = http.patch(url, json={"clear_quiet": True}).json()
    assert cleared["quiet_start"] is None and cleared["quiet_end"] is None


def test_bad_quiet_window_changes_nothing(http: TestClient) -> None:
    room = _duty_room(http)
    url = f"/api/v1/channels/{room['id']}"
    assert http.patch(url, json={"quiet_start": "25:00", "quiet_end": "07:00"}).status_code == 422
    half = http.patch(url, json={"quiet_start": "22:00"})
    assert half.status_code == 400 and "同时给出" in half.json()["message"]
    assert http.patch("/api/v1/channels/99999", json={"name": "x"}).status_code == 404
    assert _duty_room(http) == room


def test_null_hours_clear_and_clearing_with_new_hours_is_refused(http: TestClient) -> None:
    """Tester F13 (session 19): both hours sent as null answered 200 and kept the window;
    ``clear_quiet`` with new hours cleared them without a word; one null hour was ignored."""
    room = _duty_room(http)
    url = f"/api/v1/channels/{room['id']}"
    http.patch(url, json={"quiet_start": "22:00", "quiet_end": "07:30"})
    both = http.patch(url, json={"clear_quiet": True, "quiet_start": "23:00", "quiet_end": "07:00"})
    assert both.status_code == 400 and "没有保存任何修改" in both.json()["message"], both.text
    half_null = http.patch(url, json={"quiet_start": None})
    assert half_null.status_code == 400 and "同时给出" in half_null.json()["message"]
    mixed = http.patch(url, json={"quiet_start": None, "quiet_end": "07:00"})
    assert mixed.status_code == 400
    assert (_duty_room(http)["quiet_start"], _duty_room(http)["quiet_end"]) == ("22:00", "07:30")
    renamed = http.patch(url, json={"name": "值班群"}).json()
    assert (renamed["quiet_start"], renamed["quiet_end"]) == ("22:00", "07:30")
    cleared = http.patch(url, json={"quiet_start": None, "quiet_end": None})
    assert cleared.status_code == 200
    assert (cleared.json()["quiet_start"], cleared.json()["quiet_end"]) == (None, None)
    assert (_duty_room(http)["quiet_start"], _duty_room(http)["quiet_end"]) == (None, None)


def test_a_channel_added_twice_is_a_conflict_not_a_server_error(http: TestClient) -> None:
    room = _duty_room(http)
    body = {"platform": room["platform"], "address": "duty-room", "purpose": room["purpose"]}
    before = http.get("/api/v1/channels").json()
    again = http.post("/api/v1/channels", json=body)
    assert again.status_code == 409, again.text
    assert again.json()["message"] == "「duty-room」已经存在。"
    assert http.get("/api/v1/channels").json() == before


def test_an_empty_name_or_a_window_of_no_length_is_refused(http: TestClient) -> None:
    """Tester F10 (session 20): ``{"name": ""}`` and 22:00–22:00 were stored (200); the
    dashboard then listed a window that held nothing (``chat.quiet`` reads it as none)."""
    room = _duty_room(http)
    url = f"/api/v1/channels/{room['id']}"
    for name in ("", " \u200b "):
        empty = http.patch(url, json={"name": name})
        assert empty.status_code == 400, empty.text
        assert empty.json()["message"] == "频道名称不能为空，没有保存任何修改。"
    same = http.patch(url, json={"quiet_start": "22:00", "quiet_end": "22:00"})
    assert same.status_code == 400, same.text
    assert "开始和结束都是 22:00" in same.json()["message"]
    assert _duty_room(http) == room
    body = {"platform": room["platform"], "address": "quiet-room", "purpose": room["purpose"]}
    added = http.post(
        "/api/v1/channels", json={**body, "quiet_start": "08:00", "quiet_end": "08:00"}
    )
    assert added.status_code == 400, added.text
    assert http.post("/api/v1/channels", json=body).status_code == 201


def test_a_name_is_one_line_on_create_and_rename(http: TestClient) -> None:
    """Tester s27 A-9: ``"频道\n第二行"`` was stored with its line break, and a name prints
    in chat lists: one name, one line, cleaned as a team's name (control and invisible
    characters dropped, runs of spaces one)."""
    room = _duty_room(http)
    body = {"platform": room["platform"], "address": "two-lines", "purpose": room["purpose"]}
    made = http.post("/api/v1/channels", json={**body, "name": "频道\n第二行\r\n  第三\u200b行"})
    assert made.status_code == 201, made.text
    assert made.json()["name"] == "频道第二行 第三行"
    renamed = http.patch(f"/api/v1/channels/{room['id']}", json={"name": "值班\n群  一"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "值班群 一", renamed.text


def test_create_refuses_a_blank_or_taken_name_as_rename_does(http: TestClient) -> None:
    """Tester F11 (session 21): POST stored ``"name": ""`` and ``"  "`` (PATCH refuses them),
    and two channels of a team could share a name (created so, or renamed so), after which a
    notice to that name went to both chats."""
    room = _duty_room(http)
    body = {"platform": "web", "address": "newroom", "purpose": "team"}
    before = http.get("/api/v1/channels").json()
    for name in ("", "  ", "\u3000"):
        blank = http.post("/api/v1/channels", json={**body, "name": name})
        assert blank.status_code == 400, (name, blank.text)
        assert blank.json()["message"] == "频道名称不能为空，没有保存任何修改。"
    # the demo team's 「值班频道」, also in another case or width
    for name in ("值班频道", " 值班频道 "):
        taken = http.post("/api/v1/channels", json={**body, "name": name})
        assert taken.status_code == 409, taken.text
        assert taken.json()["error"] == "core.error.channel_name_taken"
        assert f"已经有一个叫「值班频道」的频道（#{room['id']}）" in taken.json()["message"]
    assert http.get("/api/v1/channels").json() == before
    made = http.post("/api/v1/channels", json={**body, "name": "新的群"})
    assert made.status_code == 201, made.text
    assert made.json()["name"] == "新的群"
    # renamed onto another channel's name: refused; onto its own name: fine
    url = f"/api/v1/channels/{room['id']}"
    clash = http.patch(url, json={"name": "新的群"})
    assert clash.status_code == 409, clash.text
    assert _duty_room(http) == room
    assert http.patch(url, json={"name": "值班频道"}).status_code == 200
    # no name at all is still a channel no notice names
    nameless = http.post("/api/v1/channels", json={**body, "address": "other-room"})
    assert nameless.status_code == 201 and nameless.json()["name"] == "", nameless.text
