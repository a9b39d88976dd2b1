"""Who may add a 1on1 pair, and whose career goals its prep pack shows: an admin who is not
the director cannot make themselves anyone's manager, and a manager who is not the director
reads no career goals of the report (the careers rules: the person and the director).
Every backend: the pair and the plan are stored."""

from __future__ import annotations

from sqlalchemy import select

from teamassist.one_on_ones import service
from teamassist.one_on_ones.models import OneOnOne
from tests.careers.support import without_demo_plans
from tests.okr.support import demo, set_clock
from tests.support.chat import ChatDriver

GOAL = "私人目标-跳槽准备"


def _given_a_private_goal(chat: ChatDriver) -> None:
    set_clock(chat.runtime, "2026-12-01 09:00")
    without_demo_plans(chat.runtime)
    chat.text("/任命负责人 @李华", as_="admin")
    chat.text("/职业规划 发起 @赵六 截止 2026-12-31", as_="lihua")
    chat.text(f"/职业规划 目标 1 2027-06-30 {GOAL}", as_="zhaoliu")


def _pairs_of(chat: ChatDriver, handle: str) -> int:
    with demo(chat.runtime) as given:
        person = given.member(handle).id
        return len(
            given.session.scalars(
                select(OneOnOne.id).where(
                    (OneOnOne.manager_id == person) | (OneOnOne.report_id == person)
                )
            ).all()
        )


def test_an_admin_who_is_not_the_director_cannot_make_a_pair(chat: ChatDriver) -> None:
    # Given 李华 is the director and 赵六 wrote a private goal
    _given_a_private_goal(chat)
    before = _pairs_of(chat, "admin")
    # When the admin makes themselves 赵六's 1on1 manager
    reply = chat.text("/一对一 @赵六 每周 周三 15:00", as_="admin")
    # Then it is refused, no pair is stored and no goal is shown
    assert "赵六 的 1on1 只能由团队负责人「李华」新建" in reply, reply
    assert GOAL not in reply
    assert _pairs_of(chat, "admin") == before
    assert GOAL not in chat.text("/一对一 @赵六", as_="admin")


def test_only_the_director_and_the_person_see_the_goals_in_the_pack(chat: ChatDriver) -> None:
    # Given the director 李华 pairs 赵六 with himself and 王五 with 赵六 as manager
    _given_a_private_goal(chat)
    # (16:00: at 15:00 李华 meets 李四 every other Wednesday, a double booking)
    assert "赵六" in chat.text("/一对一 @赵六 每周 周三 16:00", as_="lihua")
    with demo(chat.runtime) as given:
        lihua, wangwu, zhaoliu = (given.member(h) for h in ("lihua", "wangwu", "zhaoliu"))
        service.create(
            given.session, team=given.team, manager=wangwu, report=zhaoliu, by=lihua, admin=False
        )
    # When each reads their 1on1 with 赵六 in a DM
    # Then the director and 赵六 himself see the goal; the manager 王五 does not
    assert "职业发展目标 1 项：" in chat.text("/一对一 @赵六", as_="lihua")
    assert GOAL in chat.text("/一对一 @赵六", as_="lihua")
    assert GOAL in chat.text("/一对一 @王五", as_="zhaoliu")
    seen = chat.text("/一对一 @赵六", as_="wangwu")
    assert "会前准备（赵六）" in seen, seen
    assert GOAL not in seen and "职业发展目标" not in seen


def test_the_refusal_names_who_may_and_a_pair_of_one_is_refused_first(
    chat: ChatDriver,
) -> None:
    """s23 report 2 F1: 李华 (主管) heard 「只有团队负责人或对方所在小组的组长可以新建」 in a
    team with neither, while the admin (who stands in) could; report 1 F4: a 1on1 with
    yourself got that role refusal instead of 「1on1 需要两个人」."""
    before = _pairs_of(chat, "lihua")
    refused = chat.text("/一对一 @孙七 每周 周三 10:00", as_="lihua")
    assert refused == (
        "孙七 的 1on1 只能由管理员「王管理」（团队还没有负责人和组长）新建；请找 TA 安排。"
    ), refused
    assert chat.text("/一对一 @李华 每周 周三 10:00", as_="lihua") == "1on1 需要两个人。"
    assert _pairs_of(chat, "lihua") == before
    # the admin named there may indeed
    assert "已设定1on1" in chat.text("/一对一 @赵六 每周 周三 11:00", as_="admin")
