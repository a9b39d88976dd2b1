"""REST: rotations, schedule, who is on duty, changes with preview, overrides, swaps, exception
dates, sign-in; every refusal answers {"error", "message"} and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from teamassist.database import transaction
from teamassist.http import auth
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.duty.helpers import demo_team, snapshot
from tests.support.web import sign_in


def _client(
    runtime: Runtime, username: str = "admin", password: str = "admin"
) -> Iterator[TestClient]:
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client, username, password)
        yield client


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    """Signed in as the demo admin, SQLite."""
    load_demo(sqlite_runtime)
    yield from _client(sqlite_runtime)


@pytest.fixture
def member_api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    """Signed in as 张三 (a member, on tech duty today), SQLite."""
    load_demo(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        member = team_service.get_member_by_handle(
            session, workspace_id=workspace.id, handle="zhangsan"
        )
        auth.set_password(session, username="zhangsan", password="secret-1", member=member)
    yield from _client(sqlite_runtime, "zhangsan", "secret-1")


def _runtime(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def _ids(client: TestClient) -> tuple[int, dict[str, int], dict[str, int]]:
    team, members = demo_team(_runtime(client))
    rotations = client.get(f"/api/v1/duty/teams/{team.id}/rotations").json()
    return team.id, {r["key"]: r["id"] for r in rotations}, {h: m.id for h, m in members.items()}


def _refused(response: Any, status: int, key: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == key
    assert body["message"]


def test_rotations_schedule_and_who_is_on_duty(api: TestClient) -> None:
    team_id, rotations, members = _ids(api)
    listed = api.get(f"/api/v1/duty/teams/{team_id}/rotations").json()
    assert [(r["key"], r["name"], r["kind"]) for r in listed] == [
        ("tech", "技术", "tech"),
        ("product", "产品", "product"),
    ]
    assert listed[0]["current"]["handoff_time"] == "03:00"
    schedule = api.get(f"/api/v1/duty/teams/{team_id}/schedule", params={"days": 7}).json()
    tech = next(r for r in schedule["rotations"] if r["rotation_id"] == rotations["tech"])
    assert [s["primary_id"] for s in tech["shifts"][:4]] == [
        members["zhangsan"],
        members["lisi"],
        members["wangwu"],
        members["zhangsan"],
    ]
    assert schedule["members"][str(members["lisi"])]["display_name"] == "李四"
    now = api.get(f"/api/v1/duty/teams/{team_id}/on-duty").json()
    assert [(d["kind"], [m["handle"] for m in d["members"]]) for d in now] == [
        ("tech", ["zhangsan"]),
        ("product", ["zhaoliu"]),
    ]
    later = api.get(
        f"/api/v1/duty/teams/{team_id}/on-duty", params={"at": "2026-06-02T12:00:00+08:00"}
    ).json()
    assert [m["handle"] for m in later[0]["members"]] == ["lisi"]
    # a time without an offset is the team's wall clock (Asia/Shanghai), as elsewhere in REST
    naive = api.get(
        f"/api/v1/duty/teams/{team_id}/on-duty", params={"at": "2026-06-02T12:00:00"}
    ).json()
    assert [m["handle"] for m in naive[0]["members"]] == ["lisi"]
    assert (
        api.get(f"/api/v1/duty/teams/{team_id}/schedule", params={"days": 999}).status_code == 422
    )


def test_preview_changes_nothing_and_apply_appends_a_version(api: TestClient) -> None:
    _team_id, rotations, members = _ids(api)
    before = snapshot(_runtime(api))
    body = {"action": "add", "member_ids": [members["sunqi"]]}
    preview = api.post(f"/api/v1/duty/rotations/{rotations['tech']}/changes/preview", json=body)
    assert preview.status_code == 200, preview.text
    data = preview.json()
    assert len(data["before"]) == len(data["after"]) == 29  # 4 weeks from 09:00: 29 pieces
    assert {m["handle"] for m in data["moved"]} == {"zhangsan", "lisi", "wangwu", "sunqi"}
    assert snapshot(_runtime(api)) == before
    applied = api.post(f"/api/v1/duty/rotations/{rotations['tech']}/changes", json=body)
    assert applied.status_code == 201
    versions = api.get(f"/api/v1/duty/rotations/{rotations['tech']}/versions").json()
    assert [v["change"] for v in versions] == ["create", "add"]
    assert versions[1]["member_ids"][-1] == members["sunqi"]


def test_future_change_can_be_withdrawn(api: TestClient) -> None:
    _, rotations, members = _ids(api)
    url = f"/api/v1/duty/rotations/{rotations['tech']}"
    body = {"action": "remove", "member_ids": [members["lisi"]], "effective_date": "2026-06-10"}
    assert api.post(f"{url}/changes", json=body).status_code == 201
    # Issue #10 C: a change before the pending one used to be refused (409
    # duty.error.pending_change); now it goes in first and the pending one is replayed on top.
    added = api.post(f"{url}/changes", json={"action": "add", "member_ids": [members["sunqi"]]})
    assert added.status_code == 201
    live = [v for v in api.get(f"{url}/versions").json() if v["cancelled_at"] is None]
    assert [v["change"] for v in live] == ["create", "add", "remove"]
    assert live[-1]["member_ids"] == [members["zhangsan"], members["wangwu"], members["sunqi"]]
    # a change the pending one cannot follow is refused, naming it
    _refused(
        api.post(f"{url}/changes", json={"action": "remove", "member_ids": [members["lisi"]]}),
        409,
        "duty.error.pending_blocks",
    )
    withdrawn = api.delete(f"{url}/versions/{live[-1]['id']}")
    assert withdrawn.status_code == 200 and withdrawn.json()["cancelled_at"]
    _refused(
        api.delete(f"{url}/versions/{live[0]['id']}"),
        409,
        "duty.error.version_started",
    )


@pytest.mark.parametrize(
    ("body", "status", "key"),
    [
        ({"action": "add", "member_ids": [999999]}, 404, "core.error.unknown_member"),
        ({"action": "swap", "member_ids": ["lisi", "lisi"]}, 400, "duty.error.swap_self"),
        ({"action": "remove", "member_ids": ["zhangsan"]}, 409, "duty.error.remove_on_duty"),
        (
            {"action": "add", "member_ids": ["sunqi"], "effective_date": "2026-05-01"},
            400,
            "duty.error.past_date",
        ),
        ({"action": "params", "turn_days": 0}, 400, "duty.error.bad_turn_days"),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(
    api: TestClient, body: dict[str, Any], status: int, key: str
) -> None:
    _, rotations, members = _ids(api)
    body = {**body, "member_ids": [members.get(m, m) for m in body.get("member_ids", [])]}
    before = snapshot(_runtime(api))
    _refused(
        api.post(f"/api/v1/duty/rotations/{rotations['tech']}/changes", json=body), status, key
    )
    assert snapshot(_runtime(api)) == before


def test_rotation_that_does_not_exist(api: TestClient) -> None:
    _refused(api.get("/api/v1/duty/rotations/424242/versions"), 404, "duty.error.no_rotation")


def test_create_rotation_with_parameters(api: TestClient) -> None:
    team_id, _, members = _ids(api)
    body = {
        "key": "ops",
        "name": "运维",
        "member_ids": [members["lisi"], members["wangwu"], members["zhaoliu"], members["sunqi"]],
        "start_date": "2026-06-08",
        "turn_days": 7,
        "people_per_turn": 2,
        "handoff_time": "09:30",
        "calendar": "cn_workdays",
    }
    created = api.post(f"/api/v1/duty/teams/{team_id}/rotations", json=body)
    assert created.status_code == 201, created.text
    _refused(
        api.post(f"/api/v1/duty/teams/{team_id}/rotations", json=body),
        409,
        "duty.error.rotation_exists",
    )
    before = snapshot(_runtime(api))
    bad = {**body, "key": "ops2", "name": "运维2", "handoff_time": "9点"}
    _refused(
        api.post(f"/api/v1/duty/teams/{team_id}/rotations", json=bad), 400, "duty.error.bad_time"
    )
    assert snapshot(_runtime(api)) == before
    schedule = api.get(
        f"/api/v1/duty/teams/{team_id}/schedule", params={"start": "2026-06-08", "days": 7}
    ).json()
    ops = next(r for r in schedule["rotations"] if r["rotation"] == "运维")
    assert [s["member_ids"] for s in ops["shifts"]][:1] == [[members["lisi"], members["wangwu"]]]
    assert len(ops["shifts"]) == 5  # Monday to Friday: a weekend is not a working day


def test_a_turn_larger_than_the_rotation_is_said_not_refused(api: TestClient) -> None:
    """Tester s26 A-10: ``people_per_turn: 5`` with two members answered 201 without a word and
    showed both people every day. Stored (a rotation is made and filled in steps) and said in
    ``warnings``, as chat says it; a change's preview and result say it too."""
    team_id, rotations, members = _ids(api)
    body = {
        "key": "ops",
        "name": "运维",
        "member_ids": [members["lisi"], members["wangwu"]],
        "start_date": "2026-06-08",
        "people_per_turn": 5,
    }
    created = api.post(f"/api/v1/duty/teams/{team_id}/rotations", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["current"]["people_per_turn"] == 5
    assert created.json()["warnings"] == [
        "注意：「运维」每班 5 人，轮值里只有 2 人，所以每一班都是这 2 个人，不会轮换；"
        "再添加值班人员（/值班人员增加）或把每班人数改小后才会轮换。"
    ]
    enough = {**body, "key": "ops2", "name": "运维2", "people_per_turn": 2}
    assert api.post(f"/api/v1/duty/teams/{team_id}/rotations", json=enough).json()["warnings"] == []
    url = f"/api/v1/duty/rotations/{rotations['tech']}/changes"
    wider = {"action": "params", "people_per_turn": 4}
    for said in (api.post(f"{url}/preview", json=wider), api.post(url, json=wider)):
        assert said.status_code in (200, 201), said.text
        assert (
            said.json()["warnings"] and "每班 4 人，轮值里只有 3 人" in said.json()["warnings"][0]
        )
    grown = api.post(url, json={"action": "add", "member_ids": [members["sunqi"]]})
    assert grown.status_code == 201 and grown.json()["warnings"] == [], grown.text


def test_a_rotation_name_is_one_line(api: TestClient) -> None:
    """Tester s27 A-9: a rotation named ``值班\r\nBEGIN:VEVENT…`` was stored with its line
    breaks and printed fake lines in /查看值班表; cleaned as a team's name now, and a name that
    shows nothing is refused."""
    team_id, _, members = _ids(api)
    body = {
        "key": "inj",
        "name": "值班\r\nBEGIN:VEVENT\r\nSUMMARY:伪造",
        "member_ids": [members["lisi"]],
        "start_date": "2026-06-08",
    }
    created = api.post(f"/api/v1/duty/teams/{team_id}/rotations", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "值班BEGIN:VEVENTSUMMARY:伪造"
    blank = {**body, "key": "blank", "name": "\n\u200b "}
    _refused(
        api.post(f"/api/v1/duty/teams/{team_id}/rotations", json=blank),
        400,
        "duty.error.rotation_name_empty",
    )


def test_overrides_swaps_and_exception_dates(api: TestClient) -> None:
    _, rotations, members = _ids(api)
    tech = rotations["tech"]
    override = {
        "start": "2026-06-05T03:00:00+08:00",
        "end": "2026-06-06T03:00:00+08:00",
        "member_id": None,
        "reason": "团建",
    }
    created = api.post(f"/api/v1/duty/rotations/{tech}/overrides", json=override)
    assert created.status_code == 201, created.text
    before = snapshot(_runtime(api))
    _refused(
        api.post(
            f"/api/v1/duty/rotations/{tech}/overrides",
            json={**override, "member_id": members["sunqi"]},
        ),
        409,
        "duty.error.override_overlap",
    )
    _refused(
        api.post(
            f"/api/v1/duty/rotations/{tech}/overrides",
            json={**override, "start": "2026-05-05T03:00:00+08:00"},
        ),
        422,
        "duty.error.past_date",
    )
    assert snapshot(_runtime(api)) == before
    cancelled = api.delete(f"/api/v1/duty/rotations/{tech}/overrides/{created.json()['id']}")
    assert cancelled.json()["cancelled_at"]
    swap = {
        "member_a_id": members["lisi"],
        "date_a": "2026-06-02",
        "member_b_id": members["wangwu"],
        "date_b": "2026-06-03",
    }
    assert api.post(f"/api/v1/duty/rotations/{tech}/swaps", json=swap).status_code == 201
    _refused(
        api.post(
            f"/api/v1/duty/rotations/{tech}/swaps", json={**swap, "member_b_id": members["lisi"]}
        ),
        422,
        "duty.error.swap_self",
    )
    assert len(api.get(f"/api/v1/duty/rotations/{tech}/swaps").json()) == 1
    exception = {"day": "2026-06-09", "active": False, "note": "停电"}
    assert api.post(f"/api/v1/duty/rotations/{tech}/exceptions", json=exception).status_code == 201
    _refused(
        api.post(
            f"/api/v1/duty/rotations/{tech}/exceptions", json={**exception, "day": "2026-06-01"}
        ),
        400,
        "duty.error.exception_not_future",
    )
    assert api.get(f"/api/v1/duty/rotations/{tech}/exceptions").json() == [exception]
    assert api.delete(f"/api/v1/duty/rotations/{tech}/exceptions/2026-06-09").status_code == 204


def test_sign_in_and_out_as_the_person_on_duty(member_api: TestClient) -> None:
    team_id, rotations, _ = _ids(member_api)
    signed = member_api.post(f"/api/v1/duty/teams/{team_id}/sign-in")
    assert signed.status_code == 201, signed.text
    assert signed.json()[0]["rotation_id"] == rotations["tech"]
    _refused(
        member_api.post(f"/api/v1/duty/teams/{team_id}/sign-in"),
        409,
        "duty.error.already_signed_in",
    )
    out = member_api.post(f"/api/v1/duty/teams/{team_id}/sign-out", json={"report": ""})
    assert out.status_code == 200 and out.json()[0]["report"] is None, out.text
    # signing out again without the report: it is still missing, not 「也已收到」 (s27 A-10)
    for empty in ({"report": None}, {"report": "   "}):
        _refused(
            member_api.post(f"/api/v1/duty/teams/{team_id}/sign-out", json=empty),
            409,
            "duty.error.report_missing",
        )
    out = member_api.post(f"/api/v1/duty/teams/{team_id}/sign-out", json={"report": "平稳 ✅"})
    assert out.json()[0]["report"] == "平稳 ✅"
    _refused(
        member_api.post(f"/api/v1/duty/teams/{team_id}/sign-out", json={"report": None}),
        409,
        "duty.error.already_signed_out",
    )
    history = member_api.get(f"/api/v1/duty/teams/{team_id}/sign-ins").json()
    assert len(history) == 1 and history[0]["signed_out_at"]
    # a member may not edit the roster
    _refused(
        member_api.post(
            f"/api/v1/duty/rotations/{rotations['tech']}/changes",
            json={"action": "replan", "member_ids": []},
        ),
        403,
        "core.error.forbidden",
    )


def test_admin_not_on_duty_cannot_sign_in(api: TestClient) -> None:
    team_id, _, _ = _ids(api)
    _refused(
        api.post(f"/api/v1/duty/teams/{team_id}/sign-in"), 400, "duty.error.not_on_duty_sign_in"
    )
