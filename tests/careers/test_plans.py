"""Writing a plan in chat, the director's reading and list, carrying unfinished goals into next
year, and the goals a 1on1 asks for (:class:`teamassist.events.CareerGoals`). Every backend."""

from __future__ import annotations

from datetime import date

import pytest

from teamassist.events import CareerGoals, GoalFact, ask
from tests.careers.support import plans, without_demo_plans
from tests.okr.support import demo, set_clock
from tests.outreach.support import set_up_groups
from tests.support.chat import ChatDriver


@pytest.fixture
def desk(chat: ChatDriver) -> ChatDriver:
    set_clock(chat.runtime, "2026-11-30 09:00")
    set_up_groups(chat.runtime)
    without_demo_plans(chat.runtime)
    chat.text("/职业规划 发起 @张三 @李四 截止 2026-12-31 18:00 请写规划", as_="lihua")
    return chat


def test_the_person_writes_field_by_field(desk: ChatDriver) -> None:
    # Given 张三's plan was started
    assert "方向：（未填写）" in desk.text("/职业规划", as_="zhangsan").replace("发展", "")
    # When he writes his direction, strengths and goals in chat
    desk.text("/职业规划 方向 成为后端架构师", as_="zhangsan")
    desk.text("/职业规划 优势 系统设计", as_="zhangsan")
    desk.text("/职业规划 目标 1 2027-06-30 主导一次架构评审", as_="zhangsan")
    desk.text("/职业规划 目标 2 带一名新人", as_="zhangsan")
    desk.text("/职业规划 证据 1 评审纪要", as_="zhangsan")
    reply = desk.text("/职业规划 目标状态 2 进行中", as_="zhangsan")
    # Then the plan holds them
    assert "2. 带一名新人（—，进行中）" in reply, reply
    [plan, _] = plans(desk.runtime)
    assert (plan.direction, plan.strengths) == ("成为后端架构师", "系统设计")
    assert [(g.number, g.title, g.target_date, g.status, g.evidence) for g in plan.goals] == [
        (1, "主导一次架构评审", date(2027, 6, 30), "planned", "评审纪要"),
        (2, "带一名新人", None, "in_progress", ""),
    ]
    assert plan.written_at == desk.runtime.clock()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/职业规划 目标 4 第四个", "发展目标最多 3 个"),
        ("/职业规划 目标 3 跳过了第二个", "请先写第 2 个目标"),
        ("/职业规划 目标 1 2026-02-30 日期不存在", "不是有效的日期"),
        ("/职业规划 目标 1 2099-01-01 太远", "离 2026 年太远了"),
        ("/职业规划 目标状态 1 搞定", "不认识的状态「搞定」"),
        ("/职业规划 证据 2 还没有第二个", "还没有第 2 个目标"),
        ("/职业规划 方向", "请写上内容"),
        ("/职业规划 方向 \u202e\u200b", "请写上内容"),
        ("/职业规划 优势 \u3000\u200d", "请写上内容"),
        ("/职业规划 目标 1 \u200b\u202e", "第 1 个目标需要标题"),
        ("/职业规划 乱写", "不认识的子命令"),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(
    desk: ChatDriver, text: str, expected: str
) -> None:
    desk.text("/职业规划 目标 1 2027-06-30 主导一次架构评审", as_="zhangsan")
    before = _fields(desk)
    assert expected in desk.text(text, as_="zhangsan")
    assert _fields(desk) == before


def _fields(desk: ChatDriver) -> tuple[object, ...]:
    plan = plans(desk.runtime)[0]
    goals = [(g.number, g.title, g.target_date, g.status) for g in plan.goals]
    return (plan.direction, plan.strengths, goals)


def test_a_fourth_goal_is_refused_after_three(desk: ChatDriver) -> None:
    for number in (1, 2, 3):
        desk.text(f"/职业规划 目标 {number} 目标{number}", as_="zhangsan")
    assert "发展目标最多 3 个" in desk.text("/职业规划 目标 4 第四个", as_="zhangsan")
    assert len(plans(desk.runtime)[0].goals) == 3


def test_the_director_reads_and_lists_others_do_not(desk: ChatDriver) -> None:
    desk.text("/职业规划 方向 成为后端架构师", as_="zhangsan")
    read = desk.text("/职业规划 查看 @张三", as_="lihua")
    assert "成为后端架构师" in read and "修改：" not in read, read
    listing = desk.text("/职业规划 进度", as_="lihua")
    assert "已填写 1，未填写 1，逾期 0" in listing, listing
    assert "张三：已填写" in listing and "李四：已发起，未填写" in listing
    # another member reads neither; the director does not write someone else's plan
    assert "只有「开发者社区」的负责人" in desk.text("/职业规划 查看 @张三", as_="lisi")
    assert "只有「开发者社区」的负责人" in desk.text("/职业规划 进度", as_="lisi")
    assert "还没有职业发展规划" in desk.text("/职业规划 方向 改别人的", as_="lihua")
    # past the deadline, the unwritten one is overdue
    set_clock(desk.runtime, "2027-01-02 09:00")
    assert "李四：已逾期未填写" in desk.text("/职业规划 进度 2026", as_="lihua")


def test_unfinished_goals_are_carried_into_next_years_plan(desk: ChatDriver) -> None:
    desk.text("/职业规划 目标 1 2026-12-31 主导一次架构评审", as_="zhangsan")
    desk.text("/职业规划 目标 2 完成 Rust 入门", as_="zhangsan")
    desk.text("/职业规划 目标 3 带一名新人", as_="zhangsan")
    desk.text("/职业规划 目标状态 1 进行中", as_="zhangsan")
    desk.text("/职业规划 目标状态 2 已完成", as_="zhangsan")
    desk.text("/职业规划 目标状态 3 放弃", as_="zhangsan")
    # When next year's plan is started
    set_clock(desk.runtime, "2027-11-30 09:00")
    reply = desk.text("/职业规划 发起 @张三 截止 2027-12-31", as_="lihua")
    assert "已为 1 人发起 2027 年" in reply, reply
    # Then only the unfinished goal is carried, its status kept, marked carried
    new = next(p for p in plans(desk.runtime) if p.year == 2027)
    assert [(g.number, g.title, g.status, g.carried) for g in new.goals] == [
        (1, "主导一次架构评审", "in_progress", True)
    ]
    assert "上年结转" in desk.text("/职业规划", as_="zhangsan")


def test_a_1on1_asks_for_the_goals(desk: ChatDriver) -> None:
    desk.text("/职业规划 目标 1 2026-11-20 主导一次架构评审", as_="zhangsan")
    desk.text("/职业规划 目标 2 2027-03-31 带一名新人", as_="zhangsan")
    desk.text("/职业规划 目标状态 2 已完成", as_="zhangsan")
    plan_id = plans(desk.runtime)[0].id
    with demo(desk.runtime) as d:
        zhangsan, wangwu = d.member("zhangsan"), d.member("wangwu")
        lihua, admin = d.member("lihua"), d.member("admin")
        now = desk.runtime.clock()
        answers = ask(d.session, CareerGoals(team=d.team, member=zhangsan, now=now, asker=lihua))
        assert answers == [
            (
                GoalFact(
                    plan_id,
                    2026,
                    1,
                    "主导一次架构评审",
                    "",
                    date(2026, 11, 20),
                    "planned",
                    False,
                    True,
                ),
                GoalFact(
                    plan_id, 2026, 2, "带一名新人", "", date(2027, 3, 31), "done", False, False
                ),
            )
        ]
        # the person asks for their own: the same goals
        assert (
            ask(d.session, CareerGoals(team=d.team, member=zhangsan, now=now, asker=zhangsan))
            == answers
        )
        # an admin who is not the director, or another member, reads nothing of it
        for stranger in (admin, wangwu):
            asked = CareerGoals(team=d.team, member=zhangsan, now=now, asker=stranger)
            assert ask(d.session, asked) == [()]
        # someone without a plan: an empty answer
        assert ask(d.session, CareerGoals(team=d.team, member=wangwu, now=now, asker=lihua)) == [()]
