"""OKR dashboard pages: my OKRs, team OKRs, one O and the alignment tree show the numbers REST
gives (the same roll-up), the burn-up series is the working-day expectation of each day, members
see everything read-only, and another workspace's team or O is not found."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from teamassist.database import transaction
from teamassist.okr import alignment, cycles, formulas
from teamassist.okr import objectives as okr
from teamassist.okr.messages import kr_progress, pct
from teamassist.okr.models import Cycle, KeyResult, Objective
from teamassist.okr.objectives import KrInput
from teamassist.ports import Workdays
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import Demo, at, demo
from tests.support.web import give_account, sign_in

PAGES = ["/okr", "/okr/team", "/okr/alignment"]
# The demo loads at 2026-06-01 (2026Q2, empty): its finished OKRs are in 2026Q1.
DEMO_CYCLE = "2026Q1"


@pytest.fixture
def runtime(sqlite_runtime: Runtime) -> Runtime:
    load_demo(sqlite_runtime)
    give_account(sqlite_runtime, "zhangsan")
    return sqlite_runtime


def _client(runtime: Runtime, username: str, password: str) -> Iterator[TestClient]:
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client, username, password)
        yield client


@pytest.fixture
def admin(runtime: Runtime) -> Iterator[TestClient]:
    yield from _client(runtime, "admin", "admin")


@pytest.fixture
def member(runtime: Runtime) -> Iterator[TestClient]:
    yield from _client(runtime, "zhangsan", "pw-zhangsan")


def _ok(response: Any) -> str:
    assert response.status_code == 200, response.text
    return str(response.text)


def _chart(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="okr-chart-data">(.*?)</script>', page)
    assert found, "the page embeds no chart data"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def _row(page: str, ref: str) -> str:
    found = re.search(rf'<tr data-ref="{ref}">(.*?)</tr>', page, re.S)
    assert found, ref
    return found.group(1)


def _rest(client: TestClient, cycle: str = DEMO_CYCLE) -> dict[str, Any]:
    response = client.get("/api/v1/okr/objectives", params={"cycle": cycle})
    assert response.status_code == 200, response.text
    listed: dict[str, Any] = response.json()
    return listed


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_for_admin_and_member_with_the_nav_entry(
    admin: TestClient, member: TestClient, path: str
) -> None:
    for client in (admin, member):
        page = _ok(client.get(path))
        assert "/static/okr.css" in page
        assert 'href="/okr"' in page  # the nav entry


def test_pages_need_a_sign_in(runtime: Runtime) -> None:
    with TestClient(create_app(runtime, start_background=False)) as anonymous:
        for path in [*PAGES, "/okr/objectives/1"]:
            assert anonymous.get(path, follow_redirects=False).headers["location"] == "/login"


def test_team_page_shows_the_rest_numbers_and_scores_of_the_closed_demo_cycle(
    admin: TestClient,
) -> None:
    page = _ok(admin.get("/okr/team"))  # a fresh quarter: last quarter's finished OKRs
    assert f"团队OKR · {DEMO_CYCLE}（已关闭）" in page
    listed = _rest(admin)
    scores = admin.get(f"/api/v1/okr/cycles/{listed['cycle']['id']}/scores").json()
    finals = {s["ref"]: s["final"] for s in scores["objectives"]}
    assert len(listed["objectives"]) == 3
    for item in listed["objectives"]:
        row = _row(page, item["ref"])
        assert item["title"] in row and item["owner_name"] in row
        assert f'data-testid="progress">{pct(item["progress"])}' in row
        assert f'data-testid="score">{finals[item["ref"]]:.1f}<' in row
    # O-2: KR scores 0.9 (缺陷数 90%), 0.8 (overridden), 1.0 → 0.45+0.24+0.2 = 0.89 → 0.9
    assert finals["O-2"] == 0.9
    assert f"周期评分 {scores['score']:.1f}" in page
    spread = _chart(page)["scores"]
    objectives, key_results = (d["data"] for d in spread["datasets"])
    assert spread["labels"] == [f"{i / 10:.1f}" for i in range(11)]
    assert sum(objectives) == 3 and sum(key_results) == 7
    assert objectives[9] == 1  # O-2's 0.9
    # the current quarter has no Os and so no scores
    empty = _ok(admin.get("/okr/team", params={"cycle": "2026Q2"}))
    assert "2026Q2 还没有目标" in empty and "okr-chart-data" not in empty


def test_my_page_shows_only_my_os_as_the_chat_does(member: TestClient) -> None:
    page = _ok(member.get("/okr"))
    assert f"我的OKR · {DEMO_CYCLE}（已关闭）" in page
    assert page.count('data-testid="objective"') == 1
    assert "O-2 提升交付质量" in page and "社区成为开发者的首选" not in page
    # 缺陷数 50→10 at 14: 90%, as /团队OKR says (tests/okr/test_demo.py)
    assert 'data-testid="kr-progress">90%<' in _row(page, "KR-3")
    assert "2026-03-23" in _row(page, "KR-3")  # the last weekly check-in, a local date
    item = next(o for o in _rest(member)["objectives"] if o["ref"] == "O-2")
    assert f'data-testid="progress">{pct(item["progress"])}<' in page


def test_a_member_sees_the_team_read_only(member: TestClient) -> None:
    for path in [*PAGES, "/okr/objectives/1"]:
        page = _ok(member.get(path))
        actions = re.findall(r'<form[^>]*method="post"[^>]*action="([^"]*)"', page)
        assert actions == ["/logout"], path  # nothing to change here
        assert "hx-post" not in page
        assert "看板只读" in page
    team = _ok(member.get("/okr/team"))
    for ref in ("O-1", "O-2", "O-3"):
        _row(team, ref)  # others' Os are shown too


def _demo_objective(runtime: Runtime, number: int) -> int:
    with demo(runtime) as given:
        cycle = cycles.by_key(given.session, team=given.team, key=DEMO_CYCLE)
        found = okr.objectives(given.session, team=given.team, cycle=cycle)
        return next(o.id for o in found if o.number == number)


def _objective_with_kr(
    given: Demo, cycle: Cycle, owner: str, title: str, kr: str, now: datetime, *, target: float
) -> tuple[Objective, KeyResult]:
    """A draft O of ``owner`` with one KR 0 → ``target`` 个 at weight 100."""
    objective = okr.create_objective(
        given.session,
        team=given.team,
        cycle=cycle,
        owner=given.member(owner),
        title=title,
        now=now,
    )
    key_result = okr.add_key_result(
        given.session,
        team=given.team,
        objective=objective,
        data=KrInput(kr, start=0, target=target, unit="个", weight=100),
        now=now,
    )
    return objective, key_result


def test_objective_page_burn_up_is_the_working_day_expectation_and_the_replayed_progress(
    admin: TestClient, runtime: Runtime
) -> None:
    objective_id = _demo_objective(runtime, 2)
    page = _ok(admin.get(f"/okr/objectives/{objective_id}"))
    item = admin.get(f"/api/v1/okr/objectives/{objective_id}").json()
    assert f'data-testid="progress">{pct(item["progress"])}<' in page
    for kr in item["key_results"]:
        assert f'data-testid="kr-progress">{kr_progress(kr["progress"])}<' in _row(page, kr["ref"])
    chart = _chart(page)
    burn = chart["burnup"]
    days = [date.fromisoformat(d) for d in burn["labels"]]
    assert days[0] == date(2026, 1, 1) and days[-1] == date(2026, 3, 31) and len(days) == 90
    expected, actual = (d["data"] for d in burn["datasets"])
    workdays = runtime.ports.get(Workdays)
    for day, share in zip(days, expected, strict=True):
        wanted = formulas.expected(  # at the end of ``day``: what the next morning says
            workdays, start=date(2026, 1, 1), end=date(2026, 3, 31), today=day + timedelta(days=1)
        )
        assert share == round(wanted.share * 100, 1), day
    # Spring Festival 2026 (02-15..02-23): no working day, so the expectation stands still
    festival = [expected[days.index(date(2026, 2, d))] for d in range(15, 24)]
    assert len(set(festival)) == 1
    assert expected[-1] == 100.0
    # nothing checked in before the first weekly check-in (01-05), the final progress at the end
    assert actual[0] == 0.0
    assert actual[-1] == round(item["progress"] * 100, 1)
    assert all(a is not None for a in actual)  # the cycle is over: every day is known
    # the confidence trend: one point per check-in day, the O's and each KR's
    trend = chart["confidence"]
    assert len(trend["labels"]) == 12 and len(trend["datasets"]) == 1 + 3
    last = [d["data"][-1] for d in trend["datasets"]]
    assert last[1:] == [kr["confidence"] for kr in item["key_results"]]
    assert last[0] == round(item["confidence"], 1)
    # freshness to the cycle's last day: the last check-in was 03-23, 8 days before
    assert 'data-ref="KR-3" data-days="8"' in page and "okr-stale" in page
    # scores of the closed cycle: the override and its reason
    assert "理由：大客户合同已签" in _row(page, "KR-4")
    assert "O-2 → O-1" in page  # aligned to the community O


def test_burn_up_stops_at_today_in_an_active_cycle(admin: TestClient, runtime: Runtime) -> None:
    with demo(runtime) as given:
        q2 = cycles.by_key(given.session, team=given.team, key="2026Q2")
        objective, key_result = _objective_with_kr(
            given, q2, "admin", "季度", "交付", at("2026-04-01 10:00"), target=10
        )
        from teamassist.okr import checkins

        checkins.check_in(
            given.session,
            team=given.team,
            key_result=key_result,
            author=None,
            value=4,
            confidence=6,
            comment="",
            now=at("2026-05-20 10:00"),
        )
        objective_id = objective.id
    page = _ok(admin.get(f"/okr/objectives/{objective_id}"))  # today: 2026-06-01
    burn = _chart(page)["burnup"]
    days = [date.fromisoformat(d) for d in burn["labels"]]
    actual = burn["datasets"][1]["data"]
    today = days.index(date(2026, 6, 1))
    assert actual[today] == 40.0 and actual[days.index(date(2026, 5, 19))] == 0.0
    assert all(a is None for a in actual[today + 1 :])
    # freshness counted to today: 05-20 is 12 days back, stale
    assert 'data-ref="KR-1" data-days="12"' in page


def test_alignment_tree_with_several_parents_a_kr_child_and_the_report(
    admin: TestClient, runtime: Runtime
) -> None:
    ids = {n: _demo_objective(runtime, n) for n in (1, 2, 3)}
    with demo(runtime) as given:
        o2, o3 = (given.session.get(Objective, ids[n]) for n in (2, 3))
        assert o2 is not None and o3 is not None
        now = at("2026-03-01 10:00")
        cycle = cycles.by_key(given.session, team=given.team, key=DEMO_CYCLE)
        # O-3 supports O-2 as well as O-1; a new O-4's KR-8 supports O-3
        alignment.align(
            given.session,
            child_type=alignment.OBJECTIVE,
            child_id=o3.id,
            child_label="O-3",
            parent=o2,
            actor=None,
            now=now,
        )
        o4, kr8 = _objective_with_kr(given, cycle, "lisi", "新目标", "新KR", now, target=5)
        assert (o4.number, kr8.number) == (4, 8)
        alignment.align(
            given.session,
            child_type=alignment.KEY_RESULT,
            child_id=kr8.id,
            child_label="KR-8",
            parent=o3,
            actor=None,
            now=now,
        )
    page = _ok(admin.get("/okr/alignment"))
    tree = re.search(
        r'<ul class="okr-tree" data-testid="alignment-tree">(.*)</ul>\s*</section>', page, re.S
    )
    assert tree
    # O-1 at the root with O-2 and O-3 under it; O-3 under O-2 too; KR-8 under O-3 each time;
    # O-4 (aligned only through its KR) is a root of its own
    refs = re.findall(r'<li class="okr-node[^"]*" data-ref="([^"]+)"', tree.group(1))
    assert refs == ["O-1", "O-2", "O-3", "KR-8", "O-3", "KR-8", "O-4"]
    assert "也对齐到 O-1、O-2" in page
    report = re.search(r'data-testid="alignment-report">(.*?)</section>', page, re.S)
    assert report
    section = report.group(1)

    def listed(key: str) -> list[str]:
        found = re.search(rf'data-testid="{key}">(.*?)</p>', section, re.S)
        assert found, key
        return re.findall(r'<span class="okr-ref">(O-\d+) ', found.group(1))

    # O-4's KR is aligned, so O-4 has a parent; only O-1 has none
    assert listed("unaligned") == ["O-1"]
    assert listed("unsupported") == ["O-4"]
    assert listed("orphaned") == []
    assert re.search(r'data-testid="orphaned">无<', section)


def test_another_workspace_is_not_found_and_a_sibling_team_is_shown(
    admin: TestClient, runtime: Runtime
) -> None:
    now = at("2026-05-10 09:00")
    with transaction(runtime.factory) as session:
        workspace = team_service.create_workspace(session, key="other", name="别的社区")
        team = team_service.create_team(
            session, workspace=workspace, key="t", name="别组", timezone="Asia/Shanghai"
        )
        q2 = cycles.by_key(session, team=team, key="2026Q2")
        foreign = okr.create_objective(
            session, team=team, cycle=q2, owner=None, title="外部目标", now=now
        )
        ids = (team.id, foreign.id)
    team_id, objective_id = ids
    for path, params in (
        ("/okr/team", {"team": team_id}),
        ("/okr", {"team": team_id}),
        ("/okr/alignment", {"team": team_id}),
        (f"/okr/objectives/{objective_id}", {}),
        ("/okr/objectives/999999", {}),
    ):
        response = admin.get(path, params=params)
        assert response.status_code == 404, path
        assert "外部目标" not in response.text
    assert admin.get("/okr/team", params={"cycle": "2026Q9"}).status_code == 422


def test_the_expectation_line_matches_the_api(admin: TestClient) -> None:
    listed = _rest(admin)
    page = _ok(admin.get("/okr/team"))
    done, total = listed["workdays_done"], listed["workdays_total"]
    assert f"今天的预期进展 {pct(listed['expected'])}（已过 {done}/{total} 个工作日）" in page
