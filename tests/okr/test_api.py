"""REST under /api/v1/okr: the same services as chat, the one error shape, workspace bounds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from teamassist.database import transaction
from teamassist.okr import cycles
from teamassist.okr import objectives as okr
from teamassist.okr.objectives import KrInput
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import at, set_clock
from tests.support.chat import ChatDriver
from tests.support.web import give_account, sign_in


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    """The demo workspace on 2026-11-16 (2026Q4), signed in as its admin."""
    load_demo(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-11-16 09:00")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def _runtime(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def _ok(response: Any, code: int = 200) -> Any:
    assert response.status_code == code, response.text
    return response.json()


def _objective(
    api: TestClient, owner: str = "zhangsan", weights: tuple[int, ...] = (50, 30, 20)
) -> dict[str, Any]:
    created = _ok(
        api.post("/api/v1/okr/objectives", json={"title": "提升交付质量", "owner": owner}), 201
    )
    path = f"/api/v1/okr/objectives/{created['id']}/key-results"
    krs: list[dict[str, Any]] = [
        {"title": "线上缺陷数", "start": 50, "target": 10, "unit": "个"},
        {"title": "营收", "start": 100, "target": 200, "unit": "万元"},
        {"title": "新版本上线", "kind": "binary"},
    ]
    for body, weight in zip(krs, weights, strict=True):
        created = _ok(api.post(path, json={**body, "weight": weight}), 201)
    return created  # type: ignore[no-any-return]


def test_cycle_by_rule_and_the_publish_case(api: TestClient) -> None:
    cycle = _ok(
        api.post("/api/v1/okr/cycles", json={"kind": "quarter", "year": 2026, "quarter": 4}), 201
    )
    assert (cycle["key"], cycle["start_date"], cycle["end_date"], cycle["state"]) == (
        "2026Q4",
        "2026-10-01",
        "2026-12-31",
        "active",
    )
    chat = ChatDriver(_runtime(api))
    chat.text("/新建目标 提升交付质量", as_="zhangsan")
    chat.text("/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 50%", as_="zhangsan")
    chat.text("/新建KR O-1 营收 起始 100 目标 200 单位 万元 权重 30%", as_="zhangsan")
    chat.text("/新建KR O-1 新版本上线 类型 是否完成 权重 20%", as_="zhangsan")
    assert "已发布" in chat.text("/发布OKR", as_="zhangsan")
    for owner in ("张三", "zhangsan"):
        listing = _ok(api.get("/api/v1/okr/objectives", params={"owner": owner, "cycle": "2026Q4"}))
        [objective] = listing["objectives"]
        assert (objective["ref"], objective["state"], objective["progress"]) == (
            "O-1",
            "published",
            0,
        )
        assert [k["weight"] for k in objective["key_results"]] == [50, 30, 20]
        assert [k["kind"] for k in objective["key_results"]] == ["decrease", "increase", "binary"]
    years = _ok(api.get("/api/v1/okr/cycles", params={"year": 2031}))
    assert {c["key"] for c in years} >= {"2031", "2031H2", "2031Q3"}
    bad = api.post("/api/v1/okr/cycles", json={"kind": "quarter", "year": 2026, "quarter": 5})
    assert bad.status_code == 422


def test_weights_publish_and_check_in_through_rest(api: TestClient) -> None:
    created = _objective(api, weights=(40, 40, 30))
    oid = created["id"]
    refused = api.post(f"/api/v1/okr/objectives/{oid}/publish")
    assert refused.status_code == 422 and refused.json()["error"] == "okr.error.publish_refused"
    assert "合计 110%" in refused.json()["message"]
    wrong = api.patch(f"/api/v1/okr/objectives/{oid}", json={"weights": [50, 30, 19]})
    assert (wrong.status_code, wrong.json()["error"]) == (422, "okr.error.weights_sum")
    assert [k["weight"] for k in _ok(api.get(f"/api/v1/okr/objectives/{oid}"))["key_results"]] == [
        40,
        40,
        30,
    ]
    even = _ok(api.post(f"/api/v1/okr/objectives/{oid}/even-weights"))
    assert [k["weight"] for k in even["key_results"]] == [34, 33, 33]
    published = _ok(api.post(f"/api/v1/okr/objectives/{oid}/publish"))
    assert published["state"] == "published"
    wrong = api.patch(f"/api/v1/okr/objectives/{oid}", json={"weights": [50, 30, 19]})
    assert (wrong.status_code, wrong.json()["error"]) == (422, "okr.error.weights_sum")
    assert (
        _ok(api.patch(f"/api/v1/okr/objectives/{oid}", json={"weights": [50, 25, 25]}))[
            "weights_total"
        ]
        == 100
    )
    kr1, kr2, _kr3 = (k["id"] for k in published["key_results"])
    row = _ok(
        api.post(
            f"/api/v1/okr/key-results/{kr1}/check-ins",
            json={"value": 30, "confidence": 7, "comment": "修复两个模块"},
        ),
        201,
    )
    assert (row["value"], row["confidence"], row["late"]) == (30, 7, False)
    _ok(api.post(f"/api/v1/okr/key-results/{kr2}/check-ins", json={"value": 160}), 201)
    objective = _ok(api.get(f"/api/v1/okr/objectives/{oid}"))
    assert objective["progress"] == pytest.approx(0.40)
    assert [round(k["progress"], 3) for k in objective["key_results"]] == [0.5, 0.6, 0.0]
    history = _ok(api.get(f"/api/v1/okr/key-results/{kr1}/check-ins"))
    assert [h["comment"] for h in history] == ["修复两个模块"]
    for body in ({"value": 3, "confidence": -1}, {"value": 3, "confidence": 11}):
        refused = api.post(f"/api/v1/okr/key-results/{kr1}/check-ins", json=body)
        assert refused.status_code == 422, refused.text
    assert (
        api.post(f"/api/v1/okr/key-results/{kr1}/check-ins", json={"value": "三十"}).status_code
        == 422
    )
    assert len(_ok(api.get(f"/api/v1/okr/key-results/{kr1}/check-ins"))) == 1


def test_scores_need_a_reason_to_differ(api: TestClient) -> None:
    published = _objective(api, weights=(50, 25, 25))
    kr2 = published["key_results"][1]["id"]
    _ok(api.post(f"/api/v1/okr/key-results/{kr2}/check-ins", json={"value": 160}), 201)
    refused = api.post(f"/api/v1/okr/key-results/{kr2}/score", json={"score": "0.8"})
    assert (refused.status_code, refused.json()["error"]) == (422, "okr.error.score_needs_reason")
    # a reason of nothing visible is no reason (tester s29 F-7: "\u200b" was stored)
    for nothing in ("\u200b", "\u200b\u200c\u200d\ufeff", "\u202e", " \u3000 "):
        blank = api.post(
            f"/api/v1/okr/key-results/{kr2}/score", json={"score": "0.8", "reason": nothing}
        )
        assert (blank.status_code, blank.json()["error"]) == (422, "okr.error.score_needs_reason")
    for bad in ("1.2", "0.75"):
        refused = api.post(
            f"/api/v1/okr/key-results/{kr2}/score", json={"score": bad, "reason": "x"}
        )
        assert refused.json()["error"] == "okr.error.score_range"
    kr = _ok(
        api.post(
            f"/api/v1/okr/key-results/{kr2}/score",
            json={"score": "0.8", "reason": "大客户合同已签"},
        )
    )
    assert (kr["score"], kr["score_reason"]) == (0.8, "大客户合同已签")
    cycle_id = _ok(
        api.post("/api/v1/okr/cycles", json={"kind": "quarter", "year": 2026, "quarter": 4}), 201
    )["id"]
    scores = _ok(api.get(f"/api/v1/okr/cycles/{cycle_id}/scores"))
    [o] = scores["objectives"]
    assert o["suggested"] == 0.2  # (0·50 + 0.8·25 + 0·25)/100 = 0.2
    # a draft is listed but makes no cycle score (tester s29 F-11)
    assert (o["state"], scores["score"]) == ("draft", None)
    _ok(api.post(f"/api/v1/okr/objectives/{o['objective_id']}/publish"))
    _objective(api, owner="lisi")  # another draft, scored 0: not counted
    scores = _ok(api.get(f"/api/v1/okr/cycles/{cycle_id}/scores"))
    assert [s["state"] for s in scores["objectives"]] == ["published", "draft"]
    assert scores["score"] == 0.2


def test_check_in_on_a_closed_cycle_is_409_and_writes_nothing(api: TestClient) -> None:
    runtime = _runtime(api)
    set_clock(runtime, "2026-09-01 10:00")
    created = _objective(api)
    kr = created["key_results"][0]["id"]
    q3 = _ok(
        api.post("/api/v1/okr/cycles", json={"kind": "quarter", "year": 2026, "quarter": 3}), 201
    )
    set_clock(runtime, "2026-10-09 18:00")
    assert _ok(api.post(f"/api/v1/okr/cycles/{q3['id']}/close"))["state"] == "closed"
    set_clock(runtime, "2026-10-12 10:00")
    refused = api.post(f"/api/v1/okr/key-results/{kr}/check-ins", json={"value": 30})
    assert (refused.status_code, refused.json()["error"]) == (409, "okr.error.cycle_closed")
    assert "2026Q3 已于10月9日关闭" in refused.json()["message"]
    assert _ok(api.get(f"/api/v1/okr/key-results/{kr}/check-ins")) == []
    assert _ok(api.post(f"/api/v1/okr/cycles/{q3['id']}/reopen"))["state"] == "grading"
    assert _ok(api.post(f"/api/v1/okr/key-results/{kr}/check-ins", json={"value": 30}), 201)["late"]


def test_alignment_loops_are_409_and_the_report(api: TestClient) -> None:
    first = _objective(api)
    second = _ok(api.post("/api/v1/okr/objectives", json={"title": "稳定性", "owner": "lisi"}), 201)
    _ok(
        api.post(
            "/api/v1/okr/alignments",
            json={"child_type": "objective", "child_id": second["id"], "parent_id": first["id"]},
        ),
        201,
    )
    loop = api.post(
        "/api/v1/okr/alignments",
        json={
            "child_type": "key_result",
            "child_id": first["key_results"][0]["id"],
            "parent_id": second["id"],
        },
    )
    assert (loop.status_code, loop.json()["error"]) == (409, "okr.error.alignment_cycle")
    report = _ok(api.get("/api/v1/okr/alignments/report"))
    assert (report["unaligned"], report["unsupported"], report["links"]) == (
        ["O-1"],
        ["O-2"],
        ["O-2 → O-1"],
    )


def test_members_change_only_their_own(api: TestClient) -> None:
    created = _objective(api)
    kr = created["key_results"][0]["id"]
    runtime = _runtime(api)
    with TestClient(create_app(runtime, start_background=False)) as other:
        sign_in(other, "lisi", give_account(runtime, "lisi"))
        refused = other.post(f"/api/v1/okr/key-results/{kr}/check-ins", json={"value": 30})
        assert (refused.status_code, refused.json()["error"]) == (403, "okr.error.not_yours")
        q4 = _ok(
            other.post("/api/v1/okr/cycles", json={"kind": "quarter", "year": 2026, "quarter": 4}),
            201,
        )
        assert other.post(f"/api/v1/okr/cycles/{q4['id']}/close").status_code == 403
        mine = _ok(other.post("/api/v1/okr/objectives", json={"title": "李四的目标"}), 201)
        assert mine["owner_name"] == "李四"
        assert (
            other.post(
                "/api/v1/okr/objectives", json={"title": "x", "owner": "zhangsan"}
            ).status_code
            == 403
        )


def test_another_workspace_or_team_is_not_found(api: TestClient) -> None:
    runtime = _runtime(api)
    now = at("2026-11-16 09:00")
    with transaction(runtime.factory) as session:
        workspace = team_service.create_workspace(session, key="other", name="别的社区")
        team = team_service.create_team(
            session, workspace=workspace, key="t", name="别组", timezone="Asia/Shanghai"
        )
        demo = team_service.get_workspace_by_key(session, key="demo")
        assert demo is not None
        sibling = team_service.create_team(
            session, workspace=demo, key="sib", name="兄弟组", timezone="Asia/Shanghai"
        )
        ids = []
        for owner_team in (team, sibling):
            q4 = cycles.by_key(session, team=owner_team, key="2026Q4")
            objective = okr.create_objective(
                session, team=owner_team, cycle=q4, owner=None, title="外部", now=now
            )
            key_result = okr.add_key_result(
                session,
                team=owner_team,
                objective=objective,
                data=KrInput("k", start=0, target=9, unit="个"),
                now=now,
            )
            ids.append((objective.id, key_result.id, q4.id))
        sibling_id = sibling.id
    for objective_id, kr_id, cycle_id in ids:
        for response in (
            api.get(f"/api/v1/okr/objectives/{objective_id}"),
            api.patch(f"/api/v1/okr/objectives/{objective_id}", json={"title": "改"}),
            api.post(f"/api/v1/okr/key-results/{kr_id}/check-ins", json={"value": 1}),
            api.get(f"/api/v1/okr/key-results/{kr_id}"),
            api.post(f"/api/v1/okr/cycles/{cycle_id}/close"),
        ):
            assert response.status_code == 404, response.text
            assert set(response.json()) == {"error", "message"}
    # Named with its own team, the sibling team's KR is found (same workspace).
    sibling_kr = ids[1][1]
    found = api.get(f"/api/v1/okr/key-results/{sibling_kr}", params={"team_id": sibling_id})
    assert found.status_code == 200
    other_team = api.get("/api/v1/okr/objectives", params={"team_id": ids[0][2] + 10_000})
    assert other_team.status_code == 404
    assert api.get(f"/api/v1/okr/objectives/{2**63}").status_code == 422


def test_a_create_sent_again_is_told_it_was_made(api: TestClient) -> None:
    """A client's retry of a create made a second O and a second KR (tester B-7, session 27):
    REST creates answer as chat's repeat guard does, 409 naming the first."""
    body = {"title": "重试的目标", "owner": "zhangsan"}
    first = _ok(api.post("/api/v1/okr/objectives", json=body), 201)
    again = api.post("/api/v1/okr/objectives", json={**body, "title": "重试的目标。"})
    assert (again.status_code, again.json()["error"]) == (409, "okr.error.objective_repeat_for")
    assert first["ref"] in again.json()["message"]
    path = f"/api/v1/okr/objectives/{first['id']}/key-results"
    kr = {"title": "重复KR", "start": 0, "target": 5, "unit": "个", "weight": 50}
    made = _ok(api.post(path, json=kr), 201)
    again = api.post(path, json=kr)
    assert (again.status_code, again.json()["error"]) == (409, "okr.error.kr_repeat")
    listing = _ok(api.get(f"/api/v1/okr/objectives/{first['id']}"))
    assert [(k["title"], k["weight"]) for k in listing["key_results"]] == [("重复KR", 50)]
    assert made["id"] == first["id"]
    titles = [o["title"] for o in _ok(api.get("/api/v1/okr/objectives"))["objectives"]]
    assert titles.count("重试的目标") == 1
