"""REST under /api/v1/actions on every backend: the same flows as chat (rules, notices), the
member gate before the body, the one error shape, and refused input changing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.actions.models import ActionEvent, ActionItem
from teamassist.database import transaction
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.okr.support import set_clock
from tests.web.test_member_scope import member_client


@pytest.fixture
def rt(demo_runtime: Runtime) -> Runtime:
    # 2026-11-30 09:00 Beijing, a Monday; the demo's items (1-4) were made at load time.
    set_clock(demo_runtime, "2026-11-30 09:00")
    return demo_runtime


@pytest.fixture
def zhangsan(rt: Runtime) -> Iterator[TestClient]:
    with member_client(rt, "zhangsan") as client:
        yield client


@pytest.fixture
def lisi(rt: Runtime) -> Iterator[TestClient]:
    with member_client(rt, "lisi") as client:
        yield client


def _ok(response: Any, code: int = 200) -> Any:
    assert response.status_code == code, response.text
    return response.json()


def _refused(response: Any, code: int, key: str) -> None:
    assert response.status_code == code, response.text
    assert response.json()["error"] == key, response.text


def _snapshot(rt: Runtime) -> list[tuple[Any, ...]]:
    """Every item's row values and its number of history rows, and the outbox size."""
    with rt.factory() as session:
        items = session.scalars(select(ActionItem).order_by(ActionItem.id)).all()
        events = session.scalar(select(func.count()).select_from(ActionEvent))
        sent = session.scalar(select(func.count()).select_from(OutboxMessage))
        rows = [(i.id, i.title, i.state, i.owner_id, i.due_at) for i in items]
        return [*rows, ("events", events), ("outbox", sent)]


def _create(client: TestClient, **extra: Any) -> dict[str, Any]:
    body = {"owner": "lisi", "title": "完成接口文档", "due": "2026-12-04", **extra}
    return _ok(client.post("/api/v1/actions", json=body), 201)  # type: ignore[no-any-return]


def test_create_done_confirm_as_in_chat(
    rt: Runtime, zhangsan: TestClient, lisi: TestClient
) -> None:
    item = _create(zhangsan)
    assert (item["state"], item["owner"], item["requester"]) == ("open", "李四", "张三")
    # A date alone is the end of that working day: 18:00 Beijing = 10:00 UTC.
    assert datetime.fromisoformat(item["due_at"]) == datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    assert item["due_local"] == "2026年12月4日 18:00"
    assert [e["kind"] for e in item["history"]] == ["created"]
    path = f"/api/v1/actions/{item['id']}"
    # Only the owner finishes; the requester checks.
    _refused(zhangsan.post(f"{path}/done"), 403, "actions.error.not_owner")
    _refused(lisi.post(f"{path}/confirm"), 403, "actions.error.not_requester")
    assert _ok(lisi.post(f"{path}/done"))["state"] == "done"
    _refused(lisi.post(f"{path}/done"), 409, "actions.error.already_done")
    closed = _ok(zhangsan.post(f"{path}/confirm"))
    assert closed["state"] == "closed" and closed["closed_at"] is not None
    assert [e["kind"] for e in closed["history"]] == ["created", "done", "closed"]
    assert [e["actor"] for e in closed["history"]] == ["张三", "李四", "张三"]
    # The same notices as chat: the owner told of the item, the requester asked to check.
    with rt.factory() as session:
        keys = session.scalars(
            select(OutboxMessage.idempotency_key).order_by(OutboxMessage.id)
        ).all()
    mine = [k.split(":")[0] for k in keys if k.split(":")[1] == str(item["id"])]
    assert mine == ["actions.assigned", "actions.done", "actions.closed"]


def test_reopen_with_a_reason_then_extend_later_only(
    rt: Runtime, zhangsan: TestClient, lisi: TestClient
) -> None:
    item = _create(zhangsan)
    path = f"/api/v1/actions/{item['id']}"
    _ok(lisi.post(f"{path}/done"))
    back = _ok(zhangsan.post(f"{path}/reopen", json={"reason": "缺少错误码"}))
    assert back["state"] == "open" and back["history"][-1]["detail"] == {"reason": "缺少错误码"}
    before = _snapshot(rt)
    # Not later than the current due time (18:00 on 12-04): refused, nothing changed.
    for due in ("2026-12-04", "2026-12-03 12:00", "2026-12-04T18:00:00+08:00"):
        response = lisi.post(f"{path}/extend", json={"due": due, "reason": "等评审"})
        _refused(response, 422, "actions.error.not_later")
        assert "不晚于现在的期限 2026-12-04 18:00" in response.json()["message"]
    _refused(
        lisi.post(f"{path}/extend", json={"due": "2026-13-01", "reason": "x"}),
        422,
        "actions.error.bad_due",
    )
    assert _snapshot(rt) == before
    later = _ok(lisi.post(f"{path}/extend", json={"due": "2026-12-08T12:00", "reason": "等评审"}))
    assert later["due_local"] == "2026年12月8日 12:00"
    assert later["history"][-1]["detail"]["reason"] == "等评审"


def test_filters_owner_requester_state_overdue_source(
    rt: Runtime, zhangsan: TestClient, lisi: TestClient
) -> None:
    kr = _create(zhangsan, title="对齐 KR", source_kind="okr_kr", source_id=3)
    plain = _create(zhangsan, owner="wangwu", title="别的事")
    everything = _ok(zhangsan.get("/api/v1/actions"))
    assert everything["count"] == 6  # the demo's four and these two
    by_owner = _ok(zhangsan.get("/api/v1/actions", params={"owner": "lisi"}))
    assert kr["id"] in [i["id"] for i in by_owner["items"]]
    assert {i["owner"] for i in by_owner["items"]} == {"李四"}
    by_requester = _ok(zhangsan.get("/api/v1/actions", params={"requester": "zhangsan"}))
    assert [i["id"] for i in by_requester["items"]] == [kr["id"], plain["id"]]
    source: dict[str, str | int] = {"source_kind": "okr_kr", "source_id": 3}
    assert [i["id"] for i in _ok(lisi.get("/api/v1/actions", params=source))["items"]] == [kr["id"]]
    closed = _ok(lisi.get("/api/v1/actions", params={"state": "closed"}))["items"]
    assert [i["title"] for i in closed] == ["准备十二月社区活动方案"]
    both = _ok(lisi.get("/api/v1/actions", params=[("state", "closed"), ("state", "done")]))
    assert {i["state"] for i in both["items"]} == {"closed", "done"}
    # The demo was loaded months ago: its open items are long overdue, these two are not.
    overdue = _ok(lisi.get("/api/v1/actions", params={"overdue": "true"}))["items"]
    assert overdue and all(i["overdue"] and i["state"] == "open" for i in overdue)
    assert kr["id"] not in [i["id"] for i in overdue]
    _refused(
        lisi.get("/api/v1/actions", params={"source_id": 3}), 422, "actions.error.source_id_alone"
    )
    _refused(
        lisi.get("/api/v1/actions", params={"owner": "nobody"}), 404, "core.error.unknown_member"
    )
    assert lisi.get("/api/v1/actions", params={"state": "lost"}).status_code == 422


def test_reassign_by_the_requester_only(
    rt: Runtime, zhangsan: TestClient, lisi: TestClient
) -> None:
    item = _create(zhangsan)
    path = f"/api/v1/actions/{item['id']}/reassign"
    before = _snapshot(rt)
    _refused(lisi.post(path, json={"owner": "wangwu"}), 403, "actions.error.not_reassigner")
    _refused(zhangsan.post(path, json={"owner": "lisi"}), 409, "actions.error.same_owner")
    _refused(zhangsan.post(path, json={"owner": "ghost"}), 404, "core.error.unknown_member")
    assert _snapshot(rt) == before
    moved = _ok(zhangsan.post(path, json={"owner": "wangwu", "reason": "李四休假"}))
    assert moved["owner"] == "王五"
    assert moved["history"][-1]["kind"] == "reassigned"
    assert moved["history"][-1]["detail"]["reason"] == "李四休假"


def test_bad_input_changes_nothing(rt: Runtime, zhangsan: TestClient) -> None:
    before = _snapshot(rt)
    cases = [
        ({"owner": "lisi", "title": "x", "due": "2026-11-01"}, 422, "actions.error.due_past"),
        ({"owner": "lisi", "title": "x", "due": "明年"}, 422, "actions.error.bad_due"),
        (
            {"owner": "lisi", "title": "x", "due": "3000-01-01T00:00"},
            422,
            "actions.error.due_too_far",
        ),
        ({"owner": "lisi", "title": "   ", "due": "2026-12-04"}, 422, "actions.error.no_title"),
        ({"owner": "ghost", "title": "x", "due": "2026-12-04"}, 404, "core.error.unknown_member"),
    ]
    for body, code, key in cases:
        _refused(zhangsan.post("/api/v1/actions", json=body), code, key)
    bad_kind = {"owner": "lisi", "title": "x", "due": "2026-12-04", "source_kind": "wiki"}
    assert zhangsan.post("/api/v1/actions", json=bad_kind).status_code == 422
    # a source the team does not have is refused, not linked to nothing (breaker, session 6)
    for kind in ("okr_kr", "okr_objective", "meeting", "one_on_one"):
        ghost: dict[str, str | int] = {"owner": "lisi", "title": "x", "due": "2026-12-04"}
        ghost |= {"source_kind": kind, "source_id": 99999}
        _refused(zhangsan.post("/api/v1/actions", json=ghost), 404, "actions.error.unknown_source")
    _refused(zhangsan.post("/api/v1/actions/999999/done"), 404, "actions.error.not_found")
    assert _snapshot(rt) == before


def test_the_member_gate_answers_before_the_body(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        team_service.create_member(session, workspace=ws, handle="guest", display_name="访客")
    with member_client(rt, "guest") as guest:
        before = _snapshot(rt)
        for method, path in [
            ("GET", "/api/v1/actions"),
            ("GET", "/api/v1/actions/1"),
            ("POST", "/api/v1/actions"),
            ("POST", "/api/v1/actions/1/extend"),
            ("POST", "/api/v1/actions/1/reassign"),
        ]:
            response = guest.request(method, path, json={"no such field": 1})
            _refused(response, 403, "core.error.not_in_team")  # the team gate's (s25 F-B8)
            assert "你不在「开发者社区」里" in response.json()["message"], response.text
        assert _snapshot(rt) == before
    with TestClient(create_app(rt, start_background=False)) as anonymous:
        assert anonymous.get("/api/v1/actions").status_code == 401


def test_openapi_documents_the_routes(rt: Runtime) -> None:
    with TestClient(create_app(rt, start_background=False)) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/actions"])
    for action in ("done", "confirm", "reopen", "extend", "reassign"):
        assert "post" in paths[f"/api/v1/actions/{{item_id}}/{action}"], action
    assert "ActionCreate" in str(paths["/api/v1/actions"]["post"])


def test_ageing_series(rt: Runtime, zhangsan: TestClient) -> None:
    _create(zhangsan)
    found = _ok(zhangsan.get("/api/v1/actions/ageing", params={"days": 7}))
    assert found["buckets"] == ["0-3", "4-7", "8-14", "15-30", "31+"]
    # The demo's items were opened 182 days before 11-30 (loaded on 06-01): #1 overdue, #2
    # done, #4 overdue too by now; the new one is on time.
    assert found["on_time"] == [1, 0, 0, 0, 1]
    assert found["overdue"] == [0, 0, 0, 0, 2]
    assert found["days"][-1] == "2026-11-30" and found["overdue_by_day"] == [2] * 7
    assert zhangsan.get("/api/v1/actions/ageing", params={"days": 0}).status_code == 422


def test_a_refusal_keeps_typed_direction_controls_inside_the_typed_text(
    rt: Runtime, zhangsan: TestClient
) -> None:
    """A tester's find (session 13): REST refusals quoted what was typed (an owner holding
    U+202E) without isolating it, so the rest of the message read backwards; chat did not."""
    rlo = "\u202e"
    body = {"owner": f"x{rlo}yz", "title": "x", "due": "2026-12-04"}
    response = zhangsan.post("/api/v1/actions", json=body)
    _refused(response, 404, "core.error.unknown_member")
    assert f"\u2068x{rlo}yz\u2069" in response.json()["message"], response.text


def test_a_rest_error_names_the_endpoint_not_a_chat_command(zhangsan: TestClient) -> None:
    """Session 14: REST's 404 said "请用 /我的销项 查看编号", a chat command; it names the
    endpoint now (the error key stays), while chat keeps its own wording."""
    missing = zhangsan.get("/api/v1/actions/99999")
    _refused(missing, 404, "actions.error.not_found")
    assert "GET /api/v1/actions" in missing.json()["message"], missing.text
    assert "/我的销项" not in missing.json()["message"]
    untitled = zhangsan.post(
        "/api/v1/actions", json={"owner": "lisi", "title": " ", "due": "2026-12-04"}
    )
    _refused(untitled, 422, "actions.error.no_title")
    assert "title" in untitled.json()["message"] and "/销项" not in untitled.json()["message"]


def test_a_due_day_off_is_a_warning_as_in_chat(zhangsan: TestClient, lisi: TestClient) -> None:
    # tester s29 F-9: REST said nothing of a due day that is a weekend or a holiday
    weekday = _create(zhangsan)
    assert weekday["warnings"] == []
    saturday = _create(zhangsan, title="周六交付", due="2026-12-12")
    assert saturday["warnings"] == ["注意：期限 2026年12月12日 18:00 是周末，不是工作日。"]
    path = f"/api/v1/actions/{weekday['id']}/extend"
    moved = _ok(lisi.post(path, json={"due": "2026-12-13", "reason": "等评审"}))
    assert moved["warnings"] == ["注意：期限 2026年12月13日 18:00 是周末，不是工作日。"]
