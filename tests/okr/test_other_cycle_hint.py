"""/新建目标 in a cycle other than the current one: the reply's next step names the O with its
cycle, and /新建KR adds the KR where that hint says (tester s26 B-16: the hint's bare ``O-1``
put the KR under the current quarter's published O-1, where it could never be deleted)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from teamassist.okr.models import Cycle, KeyResult, Objective
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver


@pytest.fixture
def okr_chat(sqlite_chat: ChatDriver) -> ChatDriver:
    set_clock(sqlite_chat.runtime, "2026-11-16 09:00")  # a Monday in 2026Q4
    return sqlite_chat


def _krs_of(chat: ChatDriver, cycle_key: str, number: int) -> list[str]:
    """The KR titles under the O ``O-number`` of the cycle ``cycle_key``."""
    with chat.runtime.factory() as session:
        objective = session.scalars(
            select(Objective)
            .join(Cycle, Cycle.id == Objective.cycle_id)
            .where(Cycle.key == cycle_key, Objective.number == number)
        ).one()
        return list(
            session.scalars(
                select(KeyResult.title)
                .where(KeyResult.objective_id == objective.id)
                .order_by(KeyResult.position)
            )
        )


def _published_o1(chat: ChatDriver) -> None:
    assert "O-1" in chat.text("/新建目标 提升交付质量", as_="zhangsan")
    chat.text("/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 50%", as_="zhangsan")
    chat.text("/新建KR O-1 营收 起始 100 目标 200 单位 万元 权重 50%", as_="zhangsan")
    assert "已发布 2026Q4 的OKR" in chat.text("/发布OKR", as_="zhangsan")


@pytest.mark.parametrize("cycle", ["2027Q1", "2026Q3"])
def test_the_hint_names_the_cycle_and_the_kr_goes_there(okr_chat: ChatDriver, cycle: str) -> None:
    _published_o1(okr_chat)
    if cycle == "2026Q3":  # an ended quarter, open again
        assert "已重开 2026Q3" in okr_chat.text("/重开周期 2026Q3", as_="admin")
    reply = okr_chat.text(f"/新建目标 未来目标 周期 {cycle}", as_="zhangsan")
    created = _krs_of(okr_chat, cycle, 1)  # there is an O-1 in that cycle now, without KRs
    assert created == []
    assert f"下一步：/新建KR {cycle} O-1 <KR名称>" in reply, reply
    reply = okr_chat.text(f"/新建KR {cycle} O-1 补录指标 起始 0 目标 10 单位 个", as_="zhangsan")
    assert "补录指标" in reply and "合计 0%" in reply, reply
    assert _krs_of(okr_chat, cycle, 1) == ["补录指标"]
    assert _krs_of(okr_chat, "2026Q4", 1) == ["线上缺陷数", "营收"]  # untouched
    # the keyword form reaches the same O; the weight is checked against its own KRs
    reply = okr_chat.text(
        f"/新建KR O-1 第二指标 起始 0 目标 5 单位 个 权重 50% 周期 {cycle}", as_="zhangsan"
    )
    assert "第二指标" in reply and "合计 50%" in reply, reply
    assert _krs_of(okr_chat, cycle, 1) == ["补录指标", "第二指标"]
    assert _krs_of(okr_chat, "2026Q4", 1) == ["线上缺陷数", "营收"]


def test_the_current_cycle_keeps_the_short_hint(okr_chat: ChatDriver) -> None:
    reply = okr_chat.text("/新建目标 本季目标", as_="zhangsan")
    assert "下一步：/新建KR O-1 <KR名称>" in reply, reply
    reply = okr_chat.text("/新建KR 2026Q4 O-1 指标 起始 0 目标 3 单位 个", as_="zhangsan")
    assert _krs_of(okr_chat, "2026Q4", 1) == ["指标"], reply


def test_a_cycle_without_that_o_is_named_in_the_refusal(okr_chat: ChatDriver) -> None:
    _published_o1(okr_chat)
    reply = okr_chat.text("/新建KR 2027Q1 O-1 指标 起始 0 目标 3 单位 个", as_="zhangsan")
    assert "2027Q1 O-1" in reply, reply
    assert _krs_of(okr_chat, "2026Q4", 1) == ["线上缺陷数", "营收"]
