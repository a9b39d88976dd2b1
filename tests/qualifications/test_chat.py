"""任职资格 in chat: one's own level with criteria and assessments; another's only for the
director and admins; setting levels and assessing for them alone; bad input changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from teamassist.qualifications.models import QualAssessment, QualHolding
from tests.okr.support import set_clock
from tests.outreach.support import ids, set_up_groups
from tests.support.chat import ChatDriver
from tests.team.support import second_team_admin


@pytest.fixture
def desk(chat: ChatDriver) -> ChatDriver:
    # Given the demo framework (P1–P4), 张三 at P3 with two assessments, and 李华 directing.
    set_up_groups(chat.runtime)
    set_clock(chat.runtime, "2026-12-01 10:00")
    return chat


def _rows(chat: ChatDriver) -> list[tuple[object, ...]]:
    with chat.runtime.factory() as session:
        held = [(h.member_id, h.level_id, h.evidence) for h in session.scalars(select(QualHolding))]
        done = [
            (a.member_id, a.year, a.level_id, a.outcome)
            for a in session.scalars(select(QualAssessment))
        ]
        return sorted(held, key=repr) + sorted(done, key=repr)


def test_my_level_shows_criteria_next_level_and_assessments(desk: ChatDriver) -> None:
    reply = desk.text("/任职资格", as_="zhangsan")
    assert "当前职级：技术序列 P3 高级工程师" in reply, reply
    assert "主导跨模块的技术方案" in reply
    assert "下一级 P4 资深工程师 的标准" in reply and "制定团队的技术方向" in reply
    assert "2026 年：P4 暂未通过（王管理，2026-06-01 生效）" in reply
    assert "2025 年：P3 通过" in reply


@pytest.mark.parametrize(("viewer", "allowed"), [("lihua", True), ("admin", True), ("lisi", False)])
def test_another_persons_level_per_role(desk: ChatDriver, viewer: str, allowed: bool) -> None:
    reply = desk.text("/任职资格 @zhangsan", as_=viewer)
    if allowed:
        assert "张三的任职资格" in reply and "P3" in reply, reply
    else:
        assert "只有本人、负责人和管理员可以查看" in reply, reply
        assert "P3" not in reply and "高级工程师" not in reply


def test_director_assesses_and_the_level_follows(desk: ChatDriver) -> None:
    reply = desk.text("/任职评定 @lisi P3 通过 主导了监控平台重构", as_="lihua")
    assert "已记录 李四 2026 年的评定：P3 通过，2026-12-01 生效" in reply, reply
    assert "当前职级随之更新为 P3" in reply
    mine = desk.text("/任职资格", as_="lisi")
    assert "当前职级：技术序列 P3 高级工程师（自 2026-12-01）" in mine, mine
    assert "依据：主导了监控平台重构" in mine
    # A second one in the same year is refused; the level stays.
    assert "已经评定过了" in desk.text("/任职评定 @lisi P4 未通过", as_="lihua")
    assert "当前职级：技术序列 P3" in desk.text("/任职资格", as_="lisi")
    assert "已将 赵六 的职级设为 P2 工程师" in desk.text("/设定职级 @zhaoliu P2", as_="admin")


def test_members_and_bad_input_change_nothing(desk: ChatDriver) -> None:
    before = _rows(desk)
    assert "只有「开发者社区」的负责人或管理员" in desk.text("/设定职级 @lisi P4", as_="lisi")
    assert "只有「开发者社区」的负责人或管理员" in desk.text(
        "/任职评定 @zhangsan P4 通过", as_="wangwu"
    )
    assert "没有职级「P9」" in desk.text("/设定职级 @lisi P9", as_="lihua")
    assert "请写「通过」或「未通过」" in desk.text("/任职评定 @lisi P3 也许", as_="lihua")
    assert _rows(desk) == before
    assert ids(desk.runtime)["lisi"] in {r[0] for r in before}


def test_the_framework_is_for_everyone(desk: ChatDriver) -> None:
    reply = desk.text("/任职资格体系", as_="sunqi")
    for code in ("P1", "P2", "P3", "P4"):
        assert f"· {code} " in reply, reply


def test_a_second_assessment_in_a_year_is_refused(desk: ChatDriver) -> None:
    # Tester s16 M7: the second replaced the first, and the level (P4, from the first) then
    # disagreed with the year's only record (P2 not yet).
    desk.text("/设定职级 @李四 P3", as_="admin")
    first = desk.text("/任职评定 @李四 P4 通过 带新人", as_="admin")
    assert "已记录 李四 2026 年的评定：P4 通过" in first, first
    before = _rows(desk)
    for again in ("/任职评定 @李四 P4 通过 再来", "/任职评定 @李四 P2 未通过 降级试试"):
        reply = desk.text(again, as_="admin")
        assert "李四 2026 年已经评定过了：P4 通过" in reply, reply
        assert "没有保存任何改动" in reply
    assert _rows(desk) == before
    mine = desk.text("/任职资格", as_="lisi")
    assert "当前职级：技术序列 P4" in mine and "依据：带新人" in mine, mine
    assert "2026 年：P4 通过" in mine and "再来" not in mine and "P2" not in mine


def test_another_team_s_admin_is_told_the_person_is_not_there(desk: ChatDriver) -> None:
    """Tester s26 A-5: 「还没有设定职级」 for 张三, who has P3 in the other team."""
    second_team_admin(desk.runtime, "lisi")
    assert "二组" in desk.text("/切换团队 二组", as_="lisi")
    reply = desk.text("/任职资格 @zhangsan", as_="lisi")
    assert reply == "张三 不在「二组」里。", reply
    # back in the demo team, 张三's level is there for its admin
    assert "P3 高级工程师" in desk.text("/任职资格 @zhangsan", as_="admin")
