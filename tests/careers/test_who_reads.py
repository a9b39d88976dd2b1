"""Who reads a career plan: its person and the director (or stand-in) of the team that started
it, nobody else (tester s27 B-6: frank, admin of 二组, pulled carol into 二组 with /添加成员 and
then read her plan, 「私密：想转岗去别的公司」, in chat, REST and the page, because a plan was
read by the director of *every* team its person is in, and any team admin may add any member of
the workspace to their team). Every way to its contents is shut for that admin: /职业规划 查看,
REST, the page, the status list, a 1on1's prep pack, an action item's link, and next year's
plan started from their team (which carried the unfinished goals over). Every backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from teamassist.careers.models import CareerPlan
from teamassist.database import transaction
from teamassist.events import CareerGoals, SourceKnown, ask
from teamassist.team.models import Team
from tests.careers.support import plans, without_demo_plans
from tests.okr.support import set_clock
from tests.outreach.support import set_up_groups
from tests.support.chat import ChatDriver
from tests.support.web import signed_in
from tests.team.support import demo, second_team

SECRET = "私密：想转岗去别的公司"


@pytest.fixture
def pulled_in(chat: ChatDriver) -> Iterator[tuple[ChatDriver, int]]:
    """李华 (director of 开发者社区) started 李四's plan, 李四 wrote it; boss2, admin of
    第二团队 only, then added 李四 to 第二团队 (no consent asked). Yields the plan's id."""
    set_clock(chat.runtime, "2026-11-30 09:00")
    set_up_groups(chat.runtime)
    without_demo_plans(chat.runtime)
    with transaction(chat.runtime.factory) as session:
        second_team(session)
    chat.text("/职业规划 发起 @李四 截止 2026-12-20 18:00", as_="lihua")
    chat.text(f"/职业规划 方向 {SECRET}", as_="lisi")
    chat.text("/职业规划 目标 1 2026-12-31 拿到别家 offer", as_="lisi")
    assert "李四 不在「第二团队」里" in chat.text("/职业规划 查看 @lisi", as_="boss2")
    added = chat.text("/添加成员 @lisi", as_="boss2")
    assert "已把 TA 加入「第二团队」" in added, added
    [plan] = plans(chat.runtime)
    yield chat, plan.id


def test_another_teams_admin_does_not_read_it_in_chat(
    pulled_in: tuple[ChatDriver, int],
) -> None:
    chat, _plan_id = pulled_in
    seen = chat.text("/职业规划 查看 @lisi", as_="boss2")
    assert seen == (
        "李四 的 2026 年规划由「开发者社区」发起，只有 TA 本人和「开发者社区」的负责人能阅读。"
    ), seen
    # the status list of 第二团队 lists the plans 第二团队 asked for: none
    status = chat.text("/职业规划 进度", as_="boss2")
    assert "李四" not in status, status
    # the team that started it still reads it, and lists it
    assert SECRET in chat.text("/职业规划 查看 @lisi", as_="lihua")
    assert "李四" in chat.text("/职业规划 进度", as_="lihua")
    # a start from 第二团队 says who reads it (no longer 「您也能阅读它」)
    again = chat.text("/职业规划 发起 @lisi 截止 2026-12-25 18:00", as_="boss2")
    assert again == (
        "李四 的 2026 年规划已由「开发者社区」发起（截止 2026-12-20 18:00）。一个人一年只有一份"
        "规划，这次没有另起一份，截止时间也没有改；规划的内容只有 TA 本人和「开发者社区」的"
        "负责人能阅读。"
    ), again


def test_another_teams_admin_does_not_read_it_through_rest_or_the_page(
    pulled_in: tuple[ChatDriver, int],
) -> None:
    chat, plan_id = pulled_in
    with chat.runtime.factory() as session:
        team2 = session.scalar(sa.select(Team.id).where(Team.key == "team2"))
    with signed_in(chat.runtime, "boss2", "lihua", "lisi") as clients:
        stranger = clients["boss2"]
        read = stranger.get(f"/api/v1/career-plans/{plan_id}")
        assert read.status_code == 404, read.text
        assert SECRET not in read.text
        page = stranger.get(f"/career-plans/{plan_id}?team={team2}")
        assert page.status_code == 404 and SECRET not in page.text
        for fmt in ("md", "docx"):
            document = stranger.get(f"/api/v1/career-plans/{plan_id}/document.{fmt}")
            assert document.status_code == 404, (fmt, document.text)
        listed = stranger.get(f"/api/v1/career-plans/team?team_id={team2}").json()
        assert listed == [], listed
        # the person and the director of the team that started it still do
        for reader in ("lisi", "lihua"):
            mine = clients[reader].get(f"/api/v1/career-plans/{plan_id}")
            assert mine.status_code == 200 and mine.json()["direction"] == SECRET, reader


def test_another_teams_admin_gets_no_goals_through_a_1on1_or_a_link(
    pulled_in: tuple[ChatDriver, int],
) -> None:
    chat, plan_id = pulled_in
    with chat.runtime.factory() as session:
        d = demo(session)
        team2 = session.scalar(sa.select(Team).where(Team.key == "team2"))
        assert team2 is not None
        boss2, lisi, lihua = d["boss2"], d["lisi"], d["lihua"]
        now = chat.runtime.clock()
        # a 1on1 of 第二团队 asks for 李四's goals with boss2 as its reader: nothing
        asked = CareerGoals(team=team2, member=lisi, now=now, asker=boss2)
        assert ask(session, asked) == [()]
        # the director of the team that started it gets them
        [goals] = ask(session, CareerGoals(team=d.team, member=lisi, now=now, asker=lihua))
        assert [g.title for g in goals] == ["拿到别家 offer"]
        # boss2 cannot link an action item of 第二团队 to the plan
        known = SourceKnown(team=team2, kind="career_plan", source_id=plan_id, by=boss2)
        assert ask(session, known) == [False]


def test_next_years_plan_from_another_team_carries_nothing_over(
    pulled_in: tuple[ChatDriver, int],
) -> None:
    chat, plan_id = pulled_in
    set_clock(chat.runtime, "2026-12-28 09:00")
    reply = chat.text("/职业规划 发起 @lisi 截止 2027-01-10 18:00", as_="boss2")
    assert "已为 1 人发起 2027 年" in reply, reply
    with chat.runtime.factory() as session:
        new = session.scalar(sa.select(CareerPlan).where(CareerPlan.year == 2027))
        assert new is not None and new.id != plan_id
        # 第二团队's director reads this one: 李四's unfinished 2026 goal is not copied in
        assert [g.title for g in new.goals] == []
    # next year's plan from the team that started this one still carries it
    set_clock(chat.runtime, "2027-11-30 09:00")
    with transaction(chat.runtime.factory) as session:
        session.execute(sa.delete(CareerPlan).where(CareerPlan.year == 2027))
    chat.text("/职业规划 发起 @lisi 截止 2027-12-31 18:00", as_="lihua")
    with chat.runtime.factory() as session:
        new = session.scalar(sa.select(CareerPlan).where(CareerPlan.year == 2027))
        assert new is not None and [g.title for g in new.goals] == ["拿到别家 offer"]
