"""Session 27's note on the OKR desk: a KR added to a published O could never be deleted; the
commands but /新建KR reached only the newest started cycle's ``O-n``; /负责人 gave work to
someone set to leave without the warning every other desk gives; /新建目标's usage left out
``周期``."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from teamassist.i18n import t
from teamassist.okr.models import Cycle, KeyResult, Objective, ObjectiveState
from teamassist.team.models import Member
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver


@pytest.fixture
def okr_chat(sqlite_chat: ChatDriver) -> ChatDriver:
    set_clock(sqlite_chat.runtime, "2026-11-16 09:00")  # a Monday in 2026Q4
    chat = sqlite_chat
    assert "O-1" in chat.text("/新建目标 提升交付质量", as_="zhangsan")
    chat.text("/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 50%", as_="zhangsan")
    chat.text("/新建KR O-1 营收 起始 100 目标 200 单位 万元 权重 50%", as_="zhangsan")
    assert "已发布 2026Q4 的OKR" in chat.text("/发布OKR", as_="zhangsan")
    return chat


def _krs(chat: ChatDriver, cycle_key: str) -> list[tuple[int, str, int, str]]:
    """(number, title, weight, owner handle) of the cycle's KRs."""
    with chat.runtime.factory() as session:
        return [
            (number, title, weight, handle)
            for number, title, weight, handle in session.execute(
                select(KeyResult.number, KeyResult.title, KeyResult.weight, Member.handle)
                .join(Cycle, Cycle.id == KeyResult.cycle_id)
                .join(Member, Member.id == KeyResult.owner_id)
                .where(Cycle.key == cycle_key)
                .order_by(KeyResult.number)
            )
        ]


def test_a_kr_added_to_a_published_objective_may_go_while_nothing_is_graded_on_it(
    okr_chat: ChatDriver,
) -> None:
    chat = okr_chat
    chat.text("/新建KR O-1 多余指标 起始 0 目标 5 单位 个", as_="zhangsan")  # weight 0
    assert "已删除 KR-3「多余指标」" in chat.text("/删除KR KR-3", as_="zhangsan")
    # one that weighs: refused, saying why and what the rule is
    refused = chat.text("/删除KR KR-1", as_="zhangsan")
    assert "KR-1 不能删除（它的权重是 50%）" in refused, refused
    assert "权重为 0、从没登记过进展、也没有评分时才能删除" in refused, refused
    # one checked in: refused too, saying so
    chat.text("/新建KR O-1 已登记指标 起始 0 目标 5 单位 个", as_="zhangsan")
    assert "已登记" in chat.text("/进展 KR-4 1", as_="zhangsan")
    refused = chat.text("/删除KR KR-4", as_="zhangsan")
    assert "KR-4 不能删除（它已登记过 1 次进展）" in refused, refused
    assert [k[1] for k in _krs(chat, "2026Q4")] == ["线上缺陷数", "营收", "已登记指标"]


def test_the_commands_reach_another_cycle_when_it_is_named(okr_chat: ChatDriver) -> None:
    chat = okr_chat
    assert "2027Q1" in chat.text("/新建目标 下季目标 周期 2027Q1", as_="zhangsan")
    chat.text("/新建KR 2027Q1 O-1 下季A 起始 0 目标 5 单位 个", as_="zhangsan")
    chat.text("/新建KR 2027Q1 O-1 下季B 起始 0 目标 8 单位 个", as_="zhangsan")
    note = t("okr.reached.other_cycle", cycle="2027Q1", ref="O-1", current="2026Q4")
    reply = chat.text("/KR权重 2027Q1 O-1 均分", as_="zhangsan")
    assert note in reply, reply
    reply = chat.text("/负责人 2027Q1 KR-2 @李四", as_="zhangsan")
    assert "以上是 2027Q1 的 KR-2" in reply, reply
    assert _krs(chat, "2027Q1") == [
        (1, "下季A", 50, "zhangsan"),
        (2, "下季B", 50, "lisi"),
    ]
    # the current cycle's O-1 and KRs are as they were
    assert _krs(chat, "2026Q4") == [
        (1, "线上缺陷数", 50, "zhangsan"),
        (2, "营收", 50, "zhangsan"),
    ]
    reply = chat.text("/发布OKR 2027Q1", as_="zhangsan")
    assert "已发布 2027Q1 的OKR" in reply, reply
    with chat.runtime.factory() as session:
        states = session.execute(
            select(Cycle.key, Objective.state)
            .join(Cycle, Cycle.id == Objective.cycle_id)
            .where(Objective.title == "下季目标")
        ).all()
    assert [tuple(row) for row in states] == [("2027Q1", ObjectiveState.PUBLISHED.value)]
    # the current cycle's own commands say nothing of another cycle
    reply = chat.text("/KR权重 O-1 均分", as_="zhangsan")
    assert "以上是" not in reply, reply


def test_an_owner_set_to_leave_before_the_cycle_ends_is_warned_of(okr_chat: ChatDriver) -> None:
    chat = okr_chat
    assert "将于 2026-12-10 停用" in chat.text("/停用成员 @lisi 2026-12-10", as_="admin")
    assert "将于 2027-01-20 停用" in chat.text("/停用成员 @wangwu 2027-01-20", as_="admin")
    reply = chat.text("/负责人 KR-1 @李四", as_="zhangsan")
    assert "注意：李四 将于 2026-12-10 停用，早于 2026Q4 结束（12月31日）" in reply, reply
    # someone who leaves after the cycle ends: no warning
    reply = chat.text("/负责人 KR-2 @王五", as_="zhangsan")
    assert "负责人 王五" in reply and "注意" not in reply, reply
    # a contributor named by /新建KR is warned of the same way
    reply = chat.text("/新建KR O-1 新指标 起始 0 目标 5 单位 个 协作 @李四", as_="zhangsan")
    assert "注意：李四 将于 2026-12-10 停用" in reply, reply


def test_the_new_objective_usage_names_the_cycle() -> None:
    usage = t("okr.commands.new_objective.usage")
    assert "[周期 2027Q1]" in usage, usage
