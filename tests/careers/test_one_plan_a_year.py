"""A career plan is the person's, one a year, whichever team starts it; the team that started
it reads it, another team the person is in is told so (tester s25 F-16: 张三, in two teams, got
a second 2026 plan from 第二团队, whose admin had just been told he had none; s27 B-6: that
team's admin then read it). The unique key (person, year) holds two starts at once
from two teams (PostgreSQL, MariaDB); ``careers_0002`` merges the doubles made before it.
Every backend."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from teamassist import migrate
from teamassist.actions.models import ActionItem
from teamassist.careers import flows, service
from teamassist.careers.models import CareerGoal, CareerPlan
from teamassist.database import make_engine, transaction
from teamassist.ports import Documents
from teamassist.runtime import Runtime
from teamassist.team.models import Member, Team, Workspace
from tests.careers.support import career_items, plans, without_demo_plans
from tests.okr.support import set_clock
from tests.outreach.support import set_up_groups
from tests.support.chat import ChatDriver
from tests.support.races import Work, side_by_side
from tests.team.conftest import empty_url  # noqa: F401  (the migration's own database)
from tests.team.support import demo, zhangsan_in_two_teams


@pytest.fixture
def desk(chat: ChatDriver) -> ChatDriver:
    set_clock(chat.runtime, "2026-11-30 09:00")
    set_up_groups(chat.runtime)
    without_demo_plans(chat.runtime)
    with transaction(chat.runtime.factory) as session:
        zhangsan_in_two_teams(session)  # 第二团队, admin boss2, no director: boss2 stands in
    return chat


def test_a_second_team_is_told_of_the_plan_and_starts_no_second_one(desk: ChatDriver) -> None:
    started = desk.text("/职业规划 发起 @张三 截止 2026-12-31 18:00 请写规划", as_="lihua")
    assert "已为 1 人发起 2026 年" in started, started
    [plan] = plans(desk.runtime)
    assert len(career_items(desk.runtime)) == 1
    # 第二团队's admin (its stand-in director) is told whose plan it is, not "还没有" (F-16),
    # and does not read it: only the team that started it does (tester s27 B-6)
    seen = desk.text("/职业规划 查看 @zhangsan", as_="boss2")
    assert seen == (
        "张三 的 2026 年规划由「开发者社区」发起，只有 TA 本人和「开发者社区」的负责人能阅读。"
    ), seen
    again = desk.text("/职业规划 发起 @zhangsan 截止 2026-12-20 18:00", as_="boss2")
    assert again == (
        "张三 的 2026 年规划已由「开发者社区」发起（截止 2026-12-31 18:00）。一个人一年只有一份"
        "规划，这次没有另起一份，截止时间也没有改；规划的内容只有 TA 本人和「开发者社区」的"
        "负责人能阅读。"
    ), again
    [after] = plans(desk.runtime)
    assert (after.id, after.due_at) == (plan.id, plan.due_at)
    assert len(career_items(desk.runtime)) == 1  # no second 「填写职业规划」 item
    # the person writes it from either team's chat, and the starting team's list shows it
    desk.text("/切换团队 第二团队", as_="zhangsan")
    assert "做架构" in desk.text("/职业规划 方向 做架构", as_="zhangsan")
    assert plans(desk.runtime)[0].direction == "做架构"
    assert "张三" in desk.text("/职业规划 进度", as_="lihua")
    assert "张三" not in desk.text("/职业规划 进度", as_="boss2")


def test_a_stranger_team_still_reads_nothing(desk: ChatDriver) -> None:
    desk.text("/职业规划 发起 @李四 截止 2026-12-31 18:00", as_="lihua")
    # 李四 is not in 第二团队: its admin reads nothing of her plan, and is told she is not
    # there (「还没有职业发展规划」 was wrong: she has one, tester s26 B-20)
    reply = desk.text("/职业规划 查看 @lisi", as_="boss2")
    assert reply == "李四 不在「第二团队」里，这里看不到 TA 的职业发展规划。", reply


def _start(rt: Runtime, team_key: str, director: str) -> Work:
    documents = rt.ports.get(Documents)

    def work(session: Session) -> str | None:
        d = demo(session)
        team = session.scalar(
            sa.select(Team).where(Team.workspace_id == d.workspace.id, Team.key == team_key)
        )
        by = session.scalar(
            sa.select(Member).where(
                Member.workspace_id == d.workspace.id, Member.handle == director
            )
        )
        assert team is not None and by is not None
        [one] = flows.start(
            session,
            team=team,
            director=by,
            people=[d["zhangsan"]],
            due_at=datetime(2026, 12, 31, 10, tzinfo=UTC),
            request="",
            now=datetime(2026, 11, 30, 1, tzinfo=UTC),
            public_url="http://t",
            documents=documents,
        )
        return "created" if one.created else f"elsewhere:{one.elsewhere is not None}"

    return work


def test_two_teams_starting_at_once_make_one_plan(desk: ChatDriver) -> None:
    rt: Runtime = desk.runtime
    outcomes = side_by_side(
        rt, [_start(rt, "team2", "boss2"), _start(rt, _default_key(rt), "lihua")]
    )
    assert sorted(outcomes) == ["created", "elsewhere:True"], outcomes
    assert len(plans(rt)) == 1
    assert len(career_items(rt)) == 1


def _default_key(rt: Runtime) -> str:
    with rt.factory() as session:
        return demo(session).team.key


def test_doubles_from_before_are_merged_not_lost(
    empty_url: str,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    migrate.upgrade(empty_url)
    migrate.downgrade(empty_url, "careers_0001")
    engine = make_engine(empty_url)
    now = datetime(2026, 11, 30, 1, tzinfo=UTC)
    try:
        with Session(engine) as session, session.begin():
            ws = Workspace(key="w", name="w", kind="standalone")
            session.add(ws)
            session.flush()
            one, two = (
                Team(workspace_id=ws.id, key=k, name=k, timezone="Asia/Shanghai", settings={})
                for k in ("一队", "二队")
            )
            person = Member(workspace_id=ws.id, handle="zs", display_name="张三", active=True)
            session.add_all([one, two, person])
            session.flush()

            def plan(team: Team, **fields: object) -> CareerPlan:
                row = CareerPlan(
                    workspace_id=ws.id,
                    team_id=team.id,
                    member_id=person.id,
                    year=2026,
                    title="个人职业发展规划-张三",
                    due_at=now,
                    request="",
                    started_at=now,
                    updated_at=now,
                    **{"direction": "", "strengths": "", "notes": "", **fields},
                )
                session.add(row)
                session.flush()
                return row

            kept = plan(one, direction="做架构", written_at=now, notes="第一年")
            kept.goals.append(CareerGoal(number=1, title="学 Rust", evidence="", status="planned"))
            merged = plan(two, direction="做架构", strengths="沟通")
            merged.goals.append(CareerGoal(number=1, title="带新人", evidence="", status="planned"))
            merged.goals.append(CareerGoal(number=2, title="写书", evidence="", status="planned"))
            session.add(
                ActionItem(
                    workspace_id=ws.id,
                    team_id=two.id,
                    owner_id=person.id,
                    requester_id=person.id,
                    title="填写职业规划",
                    state="open",
                    due_at=now,
                    created_at=now,
                    source_kind="career_plan",
                    source_id=merged.id,
                )
            )
            session.flush()
            kept_id, merged_id = kept.id, merged.id
        with caplog.at_level(logging.WARNING, logger="teamassist.migrations.careers_0002"):
            migrate.upgrade(empty_url)
        with Session(engine) as session:
            [row] = session.scalars(sa.select(CareerPlan)).all()
            assert row.id == kept_id and row.direction == "做架构"
            assert (
                row.notes
                == f"第一年\n\n（以下合并自「二队」发起的同年规划 #{merged_id}）\n\n优势：沟通"
            )
            assert [(g.number, g.title) for g in row.goals] == [
                (1, "学 Rust"),
                (2, "带新人"),
                (3, "写书"),
            ]
            assert session.scalar(sa.select(ActionItem.source_id)) == kept_id
        [said] = [r.getMessage() for r in caplog.records if r.name.endswith("careers_0002")]
        assert f"career_plan {merged_id}" in said and f"merged into plan {kept_id}" in said
        # and from now on the database refuses a second plan of a person's year
        with pytest.raises(IntegrityError), Session(engine) as session, session.begin():
            session.add(
                CareerPlan(
                    workspace_id=row.workspace_id,
                    team_id=row.team_id + 1,
                    member_id=row.member_id,
                    year=2026,
                    title="x",
                    due_at=now,
                    request="",
                    direction="",
                    strengths="",
                    notes="",
                    started_at=now,
                    updated_at=now,
                )
            )
    finally:
        engine.dispose()


def test_the_reviewed_plan_is_the_persons_in_every_team(desk: ChatDriver) -> None:
    """A 1on1 in 第二团队 reviews the plan 开发者社区 started (its goals are the person's)."""
    desk.text("/职业规划 发起 @张三 截止 2026-12-31 18:00", as_="lihua")
    with transaction(desk.runtime.factory) as session:
        d = demo(session)
        team2 = session.scalar(sa.select(Team).where(Team.key == "team2"))
        assert team2 is not None
        found = service.reviewed_plan(
            session, team=team2, member=d["zhangsan"], now=datetime(2026, 12, 1, tzinfo=UTC)
        )
        assert found is not None and found.year == date(2026, 1, 1).year
