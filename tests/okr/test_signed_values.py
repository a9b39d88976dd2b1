"""Values below zero are legitimate for a KR (a margin from −5% to 3%, a loss shrinking to
zero): chat, REST and sheet import take them; only counts (weights, confidence, milestones)
refuse a sign. Every backend, since the values are stored as doubles."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.okr.models import CheckIn, KeyResult
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver
from tests.support.web import sign_in


@pytest.fixture
def okr_chat(chat: ChatDriver) -> ChatDriver:
    set_clock(chat.runtime, "2026-11-16 09:00")  # a Monday of 2026Q4
    return chat


def _kr(runtime: Runtime, number: int) -> KeyResult:
    with runtime.factory() as session:
        return session.scalars(
            select(KeyResult).order_by(KeyResult.id.desc()).where(KeyResult.number == number)
        ).first() or pytest.fail(f"no KR-{number}")


def test_a_margin_from_minus_5_to_3_in_chat(okr_chat: ChatDriver) -> None:
    okr_chat.text("/新建目标 扭亏为盈", as_="zhangsan")
    reply = okr_chat.text("/新建KR O-1 毛利率 起始 -5 目标 3 单位 % 权重 50%", as_="zhangsan")
    assert "KR-1" in reply and "-5 → 3 %" in reply
    kr = _kr(okr_chat.runtime, 1)
    assert (kr.kind, kr.start_value, kr.target_value) == ("increase", -5.0, 3.0)
    # A loss shrinking: −200 → −50 (万元) is an increase too; full-width minus as typed.
    reply = okr_chat.text("/新建KR O-1 亏损 起始 －200 目标 −50 单位 万元 权重 50%", as_="zhangsan")
    assert "KR-2" in reply
    assert (_kr(okr_chat.runtime, 2).start_value, _kr(okr_chat.runtime, 2).target_value) == (
        -200.0,
        -50.0,
    )
    okr_chat.text("/发布OKR", as_="zhangsan")
    reply = okr_chat.text("/进展 KR-1 -1 信心 6 提价", as_="zhangsan")
    # (−1 − (−5)) / (3 − (−5)) = 0.5; O-1 = 50% × 0.5 = 25%
    assert "KR-1「毛利率」：-1%，进展 50%，信心 6/10" in reply
    assert "O-1「扭亏为盈」进展 25%" in reply
    reply = okr_chat.text("/进展 KR-1 -7", as_="zhangsan")  # worse than the start
    assert "进展 -25%" in reply and "O-1「扭亏为盈」进展 0%" in reply  # clamped in the roll-up
    with okr_chat.runtime.factory() as session:
        values = session.scalars(select(CheckIn.value).order_by(CheckIn.id)).all()
    assert list(values)[-2:] == [-1.0, -7.0]


def test_counts_still_refuse_a_sign_and_change_nothing(okr_chat: ChatDriver) -> None:
    okr_chat.text("/新建目标 扭亏为盈", as_="zhangsan")
    okr_chat.text("/新建KR O-1 毛利率 起始 -5 目标 3 单位 % 权重 50%", as_="zhangsan")
    reply = okr_chat.text("/新建KR O-1 毛利 起始 -5 目标 3 单位 % 权重 -50%", as_="zhangsan")
    assert "权重不能是负数（你填的是 -50）" in reply
    reply = okr_chat.text("/新建KR O-1 里程碑 类型 里程碑 起始 -1 目标 3 权重 0", as_="zhangsan")
    assert "起始值不能是负数" in reply
    reply = okr_chat.text("/进展 KR-1 1 信心 -3", as_="zhangsan")
    assert "信心不能是负数（你填的是 -3）" in reply
    with okr_chat.runtime.factory() as session:
        assert len(session.scalars(select(KeyResult.id)).all()) == 1 + _demo_krs(session)
        assert (
            session.scalars(
                select(CheckIn.id).join(KeyResult).where(KeyResult.title == "毛利率")
            ).all()
            == []
        )


def _demo_krs(session: Any) -> int:
    return len(session.scalars(select(KeyResult.id).where(KeyResult.title != "毛利率")).all())


@pytest.fixture
def api(demo_runtime: Runtime) -> Iterator[TestClient]:
    set_clock(demo_runtime, "2026-11-16 09:00")
    with TestClient(create_app(demo_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def test_rest_and_sheet_import_take_signed_values(api: TestClient) -> None:
    created = api.post("/api/v1/okr/objectives", json={"title": "扭亏为盈", "owner": "zhangsan"})
    assert created.status_code == 201, created.text
    path = f"/api/v1/okr/objectives/{created.json()['id']}/key-results"
    answer = api.post(
        path, json={"title": "毛利率", "start": -5, "target": 3, "unit": "%", "weight": 100}
    )
    assert answer.status_code == 201, answer.text
    [kr] = answer.json()["key_results"]
    assert (kr["kind"], kr["start"], kr["target"]) == ("increase", -5, 3)
    checked = api.post(f"/api/v1/okr/key-results/{kr['id']}/check-ins", json={"value": -1})
    assert checked.status_code == 201, checked.text
    assert checked.json()["value"] == -1
    bad = api.post(
        f"/api/v1/okr/key-results/{kr['id']}/check-ins",
        json={"value": 0, "confidence": -1},
    )
    assert bad.status_code == 422 and bad.json()["error"] == "okr.error.negative"

    cycles = api.get("/api/v1/okr/cycles", params={"year": 2026}).json()
    cycle_id = next(c["id"] for c in cycles if c["key"] == "2026Q4")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["目标", "负责人", "关键结果", "起始值", "目标值", "单位", "权重"])
    writer.writerow(["现金流转正", "lisi", "经营现金流", "-120", "0", "万元", "60"])
    writer.writerow([None, None, "净利率", -2.5, 1.5, "%", 40])
    done = api.post(
        f"/api/v1/okr/cycles/{cycle_id}/import",
        params={"apply": "true"},
        files={"file": ("okr.csv", buffer.getvalue().encode("utf-8-sig"))},
    )
    assert done.status_code == 200, done.text
    assert done.json()["problems"] == []
    krs = done.json()["objectives"][0]["key_results"]
    assert [(k["start"], k["target"]) for k in krs] == [(-120, 0), (-2.5, 1.5)]
