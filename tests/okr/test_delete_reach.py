"""/删除KR and /删除目标 reach the current cycle unless another is named (tester s27 C-5): once
the current cycle's KR-2 was deleted, a bare ``KR-2`` resolved to the newest started cycle that
still had one, so 7 of 20 deletes at once (and a retry later) were answered about a closed
cycle's KR-2; a draft KR-2 of another open cycle would have been deleted. Now a lost race and
a retry within minutes answer 「已经删除了」, and another cycle's KR is deleted only when named."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.exceptions import NotFound
from teamassist.okr import cycles
from teamassist.okr import objectives as okr
from teamassist.okr.models import Cycle, KeyResult, Objective
from teamassist.okr.objectives import KrInput
from teamassist.runtime import Runtime
from teamassist.team.models import Member, Team
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import Kr, at, objective_with_krs, set_clock, team_session
from tests.support.chat import ChatDriver
from tests.support.races import side_by_side
from tests.support.web import sign_in

NOW = at("2026-11-16 09:00")  # inside 2026Q4


def _krs(runtime: Runtime, cycle_key: str) -> list[tuple[int, str]]:
    with runtime.factory() as session:
        return [
            (number, title)
            for number, title in session.execute(
                select(KeyResult.number, KeyResult.title)
                .join(Cycle, Cycle.id == KeyResult.cycle_id)
                .where(Cycle.key == cycle_key)
                .order_by(KeyResult.number)
            )
        ]


def _objectives(runtime: Runtime, cycle_key: str) -> list[str]:
    with runtime.factory() as session:
        return list(
            session.scalars(
                select(Objective.title)
                .join(Cycle, Cycle.id == Objective.cycle_id)
                .where(Cycle.key == cycle_key)
                .order_by(Objective.number)
            )
        )


@pytest.fixture
def okr_chat(sqlite_chat: ChatDriver) -> ChatDriver:
    set_clock(sqlite_chat.runtime, "2026-11-16 09:00")  # a Monday in 2026Q4
    chat = sqlite_chat
    assert "O-1" in chat.text("/新建目标 本季目标", as_="zhangsan")
    chat.text("/新建KR O-1 删A 起始 0 目标 5 单位 个", as_="zhangsan")
    chat.text("/新建KR O-1 删B 起始 0 目标 5 单位 个", as_="zhangsan")
    # next quarter's planning: its own O-1 with KR-1 and KR-2
    assert "2027Q1" in chat.text("/新建目标 下季目标 周期 2027Q1", as_="zhangsan")
    chat.text("/新建KR 2027Q1 O-1 下季A 起始 0 目标 5 单位 个", as_="zhangsan")
    chat.text("/新建KR 2027Q1 O-1 下季B 起始 0 目标 5 单位 个", as_="zhangsan")
    assert _krs(chat.runtime, "2027Q1") == [(1, "下季A"), (2, "下季B")]
    return chat


def test_a_retried_delete_is_told_it_is_done_and_reaches_no_other_cycle(
    okr_chat: ChatDriver,
) -> None:
    chat = okr_chat
    assert "已删除 KR-2「删B」" in chat.text("/删除KR KR-2", as_="zhangsan")
    again = chat.text("/删除KR KR-2", as_="zhangsan")
    assert "KR-2「删B」已经删除了" in again, again
    assert _krs(chat.runtime, "2026Q4") == [(1, "删A")]
    assert _krs(chat.runtime, "2027Q1") == [(1, "下季A"), (2, "下季B")]
    # the deleted number is not given again: a retry never deletes the KR made next
    assert "KR-3「删C」" in chat.text("/新建KR O-1 删C 起始 0 目标 5 单位 个", as_="zhangsan")
    assert "KR-2「删B」已经删除了" in chat.text("/删除KR KR-2", as_="zhangsan")
    assert _krs(chat.runtime, "2026Q4") == [(1, "删A"), (3, "删C")]
    # later than a retry: refused, naming the cycle that has a KR-2 and how to reach it
    set_clock(chat.runtime, "2026-11-16 09:15")
    later = chat.text("/删除KR KR-2", as_="zhangsan")
    assert "2026Q4 里没有 KR-2" in later and "/删除KR 2027Q1 KR-2" in later, later
    assert "下季B" in later and "没有删除任何内容" in later, later
    assert _krs(chat.runtime, "2027Q1") == [(1, "下季A"), (2, "下季B")]
    # named, it is deleted there, and the reply says which cycle it was
    named = chat.text("/删除KR 2027Q1 KR-2", as_="zhangsan")
    assert "已删除 KR-2「下季B」" in named and "以上是 2027Q1 的 KR-2" in named, named
    assert _krs(chat.runtime, "2027Q1") == [(1, "下季A")]
    # the keyword form too
    named = chat.text("/删除KR KR-1 周期 2027Q1", as_="zhangsan")
    assert "已删除 KR-1「下季A」" in named, named
    assert _krs(chat.runtime, "2026Q4") == [(1, "删A"), (3, "删C")]


def test_a_retried_objective_delete_is_told_it_is_done(okr_chat: ChatDriver) -> None:
    chat = okr_chat
    assert "已删除草稿目标 O-1「本季目标」" in chat.text("/删除目标 O-1", as_="zhangsan")
    again = chat.text("/删除目标 O-1", as_="zhangsan")
    assert "O-1「本季目标」已经删除了" in again, again
    # its KRs went with it: a retried /删除KR of one of them is told so too
    assert "KR-1「删A」已经删除了" in chat.text("/删除KR KR-1", as_="zhangsan")
    assert _objectives(chat.runtime, "2027Q1") == ["下季目标"]
    assert _krs(chat.runtime, "2027Q1") == [(1, "下季A"), (2, "下季B")]


def test_twenty_deletes_at_once_delete_once_and_never_another_cycle(runtime: Runtime) -> None:
    load_demo(runtime)
    built = objective_with_krs(runtime, title="删除并发", krs=(Kr("删A"), Kr("删B")))
    with team_session(runtime, built.team_id) as given:
        q1 = cycles.by_key(given.session, team=given.team, key="2027Q1")
        planned = okr.create_objective(
            given.session,
            team=given.team,
            cycle=q1,
            owner=given.member("zhangsan"),
            title="下季目标",
            now=NOW,
        )
        for title in ("下季A", "下季B"):
            data = KrInput(title, start=0, target=5, unit="个")
            okr.add_key_result(
                given.session, team=given.team, objective=planned, data=data, now=NOW
            )

    def delete(session: Session) -> str | None:
        team = session.get(Team, built.team_id)
        assert team is not None
        # as /删除KR KR-2 finds it, then deletes it
        found = okr.find_to_delete(
            session, team=team, ref="KR-2", today=NOW.date(), now=NOW, cycle=None
        )
        assert isinstance(found, KeyResult)
        okr.delete_key_result(session, team=team, key_result=found, now=NOW)
        cycle = session.get(Cycle, found.cycle_id)
        assert cycle is not None
        return f"deleted {cycle.key} KR-{found.number}"

    outcome = side_by_side(runtime, [delete] * 20, attempts=1)

    assert outcome == ["deleted 2026Q4 KR-2"] + ["okr.error.key_result_gone"] * 19, outcome
    assert _krs(runtime, "2026Q4") == [(1, "删A")]
    assert _krs(runtime, "2027Q1") == [(1, "下季A"), (2, "下季B")]


def test_twenty_rest_deletes_of_one_objective_answer_one_text(runtime: Runtime) -> None:
    """Tester s28 (c7b2fae re-check): 20 DELETE /okr/objectives/{id} at once answered 1 x 204
    and 19 x 404 in two texts, 12 no_objective and 7 objective_gone (PostgreSQL), as each found
    the O gone before or after its lock. Each unit runs what the route runs."""
    load_demo(runtime)
    built = objective_with_krs(runtime, title="删除并发", krs=(Kr("删A"), Kr("删B")))

    def delete(session: Session) -> str | None:
        team = session.get(Team, built.team_id)
        assert team is not None
        try:
            objective = okr.get_objective(session, team=team, objective_id=built.objective_id)
        except NotFound:
            okr.refuse_gone(session, team=team, kind="O", row_id=built.objective_id, now=NOW)
            raise
        okr.delete_objective(session, team=team, objective=objective, now=NOW)
        return None

    outcome = side_by_side(runtime, [delete] * 20, attempts=1)

    assert outcome == ["ok"] + ["okr.error.objective_gone"] * 19, outcome


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-11-16 09:00")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def test_a_rest_delete_sent_again_is_told_it_is_done(api: TestClient) -> None:
    made = api.post("/api/v1/okr/objectives", json={"title": "再删一次"})
    assert made.status_code == 201, made.text
    path = f"/api/v1/okr/objectives/{made.json()['id']}"
    kr = api.post(f"{path}/key-results", json={"title": "再删KR", "start": 0, "target": 3})
    kr_id = kr.json()["key_results"][0]["id"]
    assert api.delete(f"/api/v1/okr/key-results/{kr_id}").status_code == 204
    again = api.delete(f"/api/v1/okr/key-results/{kr_id}")
    assert (again.status_code, again.json()["error"]) == (404, "okr.error.key_result_gone")
    assert "「再删KR」已经删除了" in again.json()["message"], again.text
    assert api.delete(path).status_code == 204
    again = api.delete(path)
    assert (again.status_code, again.json()["error"]) == (404, "okr.error.objective_gone")
    never = api.delete("/api/v1/okr/objectives/999999")
    assert (never.status_code, never.json()["error"]) == (404, "okr.error.no_objective")


def test_a_bare_id_whose_current_kr_was_deleted_reaches_no_older_cycle(
    okr_chat: ChatDriver,
) -> None:
    """Tester s28 E-13: once 2026Q4's KR-2 was deleted, /进展 KR-2 and /负责人 KR-2 reached the
    reopened 2026Q3's KR-2 and changed it. A bare id stops at the cycle that had it."""
    chat = okr_chat
    assert "已重开 2026Q3" in chat.text("/重开周期 2026Q3", as_="admin")
    chat.text("/新建目标 旧目标 周期 2026Q3", as_="zhangsan")
    chat.text("/新建KR 2026Q3 O-1 旧A 起始 0 目标 5 单位 个", as_="zhangsan")
    chat.text("/新建KR 2026Q3 O-1 旧B 起始 0 目标 5 单位 个", as_="zhangsan")
    assert "已删除 KR-2「删B」" in chat.text("/删除KR KR-2", as_="zhangsan")
    for command in ("/进展 KR-2 3", "/负责人 KR-2 @李四", "/评分 KR-2 0.5 理由"):
        refused = chat.text(command, as_="zhangsan")
        assert "2026Q4 的 KR-2「删B」已经删除了，这次没有改动" in refused, (command, refused)
        assert "如 2026Q3 KR-2" in refused, (command, refused)
    with chat.runtime.factory() as session:
        old = session.scalars(
            select(KeyResult)
            .join(Cycle, Cycle.id == KeyResult.cycle_id)
            .where(Cycle.key == "2026Q3", KeyResult.number == 2)
        ).one()
        owner = session.get(Member, old.owner_id)
        assert (old.current_value, old.score, old.title) == (None, None, "旧B")
        assert owner is not None and owner.handle == "zhangsan"  # not handed to 李四
    named = chat.text("/进展 2026Q3 KR-2 3", as_="zhangsan")
    assert "已登记 KR-2「旧B」" in named and "以上是 2026Q3 的 KR-2" in named, named
