"""Deleting a draft KR or O, and the cap of 5 KRs per O under concurrent adds (testers,
session 16: eight parallel adds made 9 KRs that publishing refused and nothing removed)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.okr.models import (
    Alignment,
    CheckIn,
    Contributor,
    Cycle,
    KeyResult,
    Objective,
)
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo, make_runtime
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver
from tests.support.server import serve
from tests.support.web import sign_in

TOKEN = "okr-delete-test-token"


@pytest.fixture
def okr_chat(sqlite_chat: ChatDriver) -> ChatDriver:
    set_clock(sqlite_chat.runtime, "2026-11-16 09:00")  # a Monday in 2026Q4
    return sqlite_chat


def _count(runtime: Runtime, model: type[Any], *where: Any) -> int:
    with runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _q4(model: type[Objective] | type[KeyResult]) -> Any:
    """Rows of 2026Q4 (the demo's own OKRs are in 2026Q3)."""
    return model.cycle_id.in_(select(Cycle.id).where(Cycle.key == "2026Q4"))


def _draft(chat: ChatDriver, krs: int) -> None:
    """张三's O-1 with ``krs`` KRs KR-1..KR-n."""
    assert "O-1" in chat.text("/新建目标 提升交付质量", as_="zhangsan")
    for n in range(1, krs + 1):
        reply = chat.text(f"/新建KR O-1 指标{n} 起始 0 目标 {n} 单位 个", as_="zhangsan")
        assert f"KR-{n}" in reply, reply


def test_a_sixth_kr_is_refused_and_a_draft_kr_deleted_frees_its_place(
    okr_chat: ChatDriver,
) -> None:
    _draft(okr_chat, 5)
    reply = okr_chat.text("/新建KR O-1 指标6 起始 0 目标 6 单位 个", as_="zhangsan")
    assert "O-1 已有 5 个KR，最多 5 个" in reply and "/删除KR" in reply
    runtime = okr_chat.runtime
    assert _count(runtime, KeyResult, _q4(KeyResult)) == 5
    links = (_count(runtime, CheckIn), _count(runtime, Contributor), _count(runtime, Alignment))
    assert "已登记" in okr_chat.text("/进展 KR-2 1", as_="zhangsan")
    assert "已更新" in okr_chat.text("/负责人 KR-2 协作 @lisi", as_="zhangsan")
    assert "O-2" in okr_chat.text("/新建目标 上级目标", as_="lisi")
    assert "已把 KR-2" in okr_chat.text("/对齐 KR-2 O-2", as_="zhangsan")
    reply = okr_chat.text("/删除KR KR-2", as_="zhangsan")
    assert reply == "已删除 KR-2「指标2」。O-1 还有 4 个KR，权重合计 0%。"
    assert _count(runtime, KeyResult, _q4(KeyResult)) == 4
    assert (_count(runtime, CheckIn), _count(runtime, Contributor), _count(runtime, Alignment)) == (
        links
    )
    with runtime.factory() as session:
        left = session.execute(
            select(KeyResult.number, KeyResult.position)
            .where(_q4(KeyResult))
            .order_by(KeyResult.position)
        ).all()
    assert [tuple(row) for row in left] == [(1, 0), (3, 1), (4, 2), (5, 3)]  # ids kept
    assert "找不到关键结果 2026Q4 KR-9" in okr_chat.text("/delete-kr KR-9", as_="zhangsan")
    assert "KR-6" in okr_chat.text("/新建KR O-1 指标6 起始 0 目标 6 单位 个", as_="zhangsan")


def test_a_draft_objective_goes_with_its_krs_and_a_published_one_stays(
    okr_chat: ChatDriver,
) -> None:
    _draft(okr_chat, 2)
    okr_chat.text("/KR权重 O-1 均分", as_="zhangsan")
    assert "已发布" in okr_chat.text("/发布OKR", as_="zhangsan")
    runtime = okr_chat.runtime
    objectives = _count(runtime, Objective, _q4(Objective))
    before = (objectives, _count(runtime, KeyResult, _q4(KeyResult)))
    reply = okr_chat.text("/删除KR KR-1", as_="zhangsan")
    assert "O-1 已发布，KR-1 不能删除" in reply
    # tester F5: the objective is named once, and the advice is about the objective
    reply = okr_chat.text("/删除目标 O-1", as_="zhangsan")
    assert "O-1 已发布，不能删除" in reply and reply.count("O-1") == 2, reply
    assert "权重" not in reply and "/评分 O-1 0 <理由>" in reply, reply
    # and a plain member asking to close a cycle is told who may (tester F5)
    refused = okr_chat.text("/关闭周期 2099Q1", as_="lisi")
    assert "/关闭周期 只有本团队的管理员可以使用" in refused, refused
    assert (
        _count(runtime, Objective, _q4(Objective)),
        _count(runtime, KeyResult, _q4(KeyResult)),
    ) == before
    okr_chat.text("/新建目标 第二个目标", as_="zhangsan")
    okr_chat.text("/新建KR O-2 指标 起始 0 目标 1 单位 个", as_="zhangsan")
    assert "只有负责人" in okr_chat.text("/删除目标 O-2", as_="lisi")
    reply = okr_chat.text("/delete-objective O-2", as_="zhangsan")
    assert reply == "已删除草稿目标 O-2「第二个目标」及其 1 个KR。"
    assert _count(runtime, Objective, _q4(Objective)) == before[0]
    assert _count(runtime, KeyResult, _q4(KeyResult)) == before[1]


def test_rest_deletes_draft_krs_and_objectives(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-11-16 09:00")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as api:
        sign_in(api)
        created = api.post("/api/v1/okr/objectives", json={"title": "提升交付质量"}).json()
        path = f"/api/v1/okr/objectives/{created['id']}"
        for n in (1, 2):
            body = {"title": f"指标{n}", "start": 0, "target": 10, "unit": "个", "weight": 50}
            assert api.post(f"{path}/key-results", json=body).status_code == 201
        krs = api.get(path).json()["key_results"]
        assert api.delete(f"/api/v1/okr/key-results/{krs[0]['id']}").status_code == 204
        assert [k["title"] for k in api.get(path).json()["key_results"]] == ["指标2"]
        assert api.delete(path).status_code == 204
        assert api.get(path).status_code == 404
        assert _count(sqlite_runtime, KeyResult, KeyResult.objective_id == created["id"]) == 0


@pytest.fixture
def served(db_url: str, clock: Any) -> Iterator[tuple[Runtime, str]]:
    """The demo workspace on 2026-11-16 behind a real uvicorn server."""
    runtime = make_runtime(db_url, clock, web={"api_token": TOKEN})
    load_demo(runtime)
    set_clock(runtime, "2026-11-16 09:00")
    with serve(create_app(runtime)) as base:
        yield runtime, base
    runtime.close()


def test_eight_concurrent_adds_stop_at_five_krs(served: tuple[Runtime, str]) -> None:
    runtime, base = served
    headers = {"authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        created = client.post("/api/v1/okr/objectives", json={"title": "并发添加"})
        assert created.status_code == 201, created.text
        path = f"/api/v1/okr/objectives/{created.json()['id']}/key-results"
        first = {"title": "已有KR", "start": 0, "target": 1, "unit": "个"}
        assert client.post(path, json=first).status_code == 201

        def add(n: int) -> int:
            body = {"title": f"并发KR{n}", "start": 0, "target": 10, "unit": "个"}
            return client.post(path, json=body).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(add, range(8)))
    assert sorted(statuses) == [201] * 4 + [409] * 4, statuses
    assert _count(runtime, KeyResult, KeyResult.objective_id == created.json()["id"]) == 5
