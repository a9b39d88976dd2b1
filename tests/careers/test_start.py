"""Starting plans: the seed's grammar replayed in a DM, ``/职业规划 发起``, once per person and
year, refused for people who left and for anyone but the director. Every backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from teamassist.actions.models import ActionItem
from teamassist.team import people as team_people
from tests.careers.support import career_dms, career_items, plans, without_demo_plans
from tests.okr.support import demo, set_clock
from tests.outreach.support import ids, set_up_groups
from tests.support.chat import ChatDriver

GRAMMAR = "###产品核心群###***制定个人职业发展规划***$$$202612311800$$$请在年底前完成规划"


@pytest.fixture
def desk(chat: ChatDriver) -> ChatDriver:
    set_clock(chat.runtime, "2026-11-30 09:00")
    set_up_groups(chat.runtime)
    without_demo_plans(chat.runtime)
    return chat


def test_grammar_replay_starts_a_plan_a_dm_and_an_item_per_person(desk: ChatDriver) -> None:
    # Given 李华 directs the team whose core group is 张三 and 李四
    people = ids(desk.runtime)
    # When she sends the seed's form in a DM
    reply = desk.text(GRAMMAR, as_="lihua")
    # Then each core member has a private plan for 2026, named as the seed named the doc
    assert "已为 2 人发起 2026 年" in reply and "张三、李四" in reply, reply
    rows = plans(desk.runtime)
    assert [(p.member_id, p.year, p.title) for p in rows] == [
        (people["zhangsan"], 2026, "个人职业发展规划-张三"),
        (people["lisi"], 2026, "个人职业发展规划-李四"),
    ]
    assert all(p.due_at == datetime(2026, 12, 31, 10, 0, tzinfo=UTC) for p in rows)
    assert rows[0].request == "12月31日18:00请在年底前完成规划"  # the seed's task text
    # and a DM with the link
    dms = career_dms(desk.runtime)
    assert sorted(m.idempotency_key for m in dms) == sorted(
        f"careers.started:{p.id}:m{p.member_id}" for p in rows
    )
    assert f"/career-plans/{rows[0].id}?team=" in desk.queued_texts(dms[0].address)[0]
    # and an action item each, due at the deadline, asked by the director
    items = career_items(desk.runtime)
    assert [(i.owner_id, i.requester_id, i.source_id) for i in items] == [
        (p.member_id, people["lihua"], p.id) for p in rows
    ]
    assert all(i.due_at == datetime(2026, 12, 31, 10, 0, tzinfo=UTC) for i in items)


def test_named_people_only_and_a_second_start_doubles_nothing(desk: ChatDriver) -> None:
    people = ids(desk.runtime)
    desk.text(
        "###产品核心群###@@@李四@@@***制定个人职业发展规划***$$$202612311800$$$写规划",
        as_="lihua",
    )
    assert [p.member_id for p in plans(desk.runtime)] == [people["lisi"]]
    # When the whole group is started afterwards (a new message, not a redelivery)
    reply = desk.text(GRAMMAR, as_="lihua")
    # Then only 张三 is new; 李四 is told as already started, nothing sent twice
    assert "已为 1 人发起" in reply and "李四 的 2026 年规划已经发起过了" in reply, reply
    assert len(plans(desk.runtime)) == 2
    assert len(career_dms(desk.runtime)) == 2 and len(career_items(desk.runtime)) == 2


def test_a_redelivered_event_starts_once(desk: ChatDriver) -> None:
    for _ in range(3):
        desk.say(GRAMMAR, as_="lihua", event_id="evt-career-1")
    assert len(plans(desk.runtime)) == 2
    assert len(career_dms(desk.runtime)) == 2 and len(career_items(desk.runtime)) == 2


def test_no_deadline_gets_the_grammars_reply(desk: ChatDriver) -> None:
    assert "需要截止时间" in desk.text("###产品核心群###***制定个人职业发展规划***写", as_="lihua")
    assert plans(desk.runtime) == []


def test_command_starts_for_a_mentioned_list(desk: ChatDriver) -> None:
    people = ids(desk.runtime)
    reply = desk.text("/职业规划 发起 @王五 @赵六 截止 2026-12-20 18:00 请写规划", as_="lihua")
    assert "已为 2 人发起" in reply, reply
    rows = plans(desk.runtime)
    assert [p.member_id for p in rows] == [people["wangwu"], people["zhaoliu"]]
    assert rows[0].due_at == datetime(2026, 12, 20, 10, 0, tzinfo=UTC)
    assert rows[0].request == "请写规划"


def test_command_starts_for_a_team_by_name(desk: ChatDriver) -> None:
    reply = desk.text("/职业规划 发起 开发者社区 202612201800", as_="lihua")
    # every active member of the team (7 in the demo), the director included
    assert "已为 7 人发起" in reply, reply


def test_someone_who_left_is_refused_and_nothing_starts(desk: ChatDriver) -> None:
    with demo(desk.runtime) as d:
        team_people.deactivate(d.session, member=d.member("wangwu"), now=desk.runtime.clock())
    reply = desk.text("/职业规划 发起 @赵六 @王五 截止 2026-12-20", as_="lihua")
    assert "王五 已经离开团队" in reply, reply
    assert plans(desk.runtime) == [] and career_dms(desk.runtime) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/职业规划 发起 @王五", "需要截止时间"),
        ("/职业规划 发起 @王五 截止 2026-02-30", "不是有效的截止时间"),
        ("/职业规划 发起 @王五 截止 2026-11-01", "已经过去了"),
        ("/职业规划 发起 不存在的团队 截止 2026-12-20", "找不到团队"),
        ("/职业规划 发起", "请写要发起的团队名称"),
    ],
)
def test_bad_starts_are_refused_and_change_nothing(
    desk: ChatDriver, text: str, expected: str
) -> None:
    assert expected in desk.text(text, as_="lihua")
    assert plans(desk.runtime) == [] and career_items(desk.runtime) == []


def test_only_the_director_starts(desk: ChatDriver) -> None:
    reply = desk.text("/职业规划 发起 @王五 截止 2026-12-20", as_="zhangsan")
    assert "只有「开发者社区」的负责人" in reply, reply
    assert plans(desk.runtime) == []


def test_a_large_team_gets_short_replies(desk: ChatDriver) -> None:
    """A tester's 306-person team: the start named everyone in one 3.7 KB line and `/职业规划
    进度` was one 21.7 KB message (QQ and Feishu carry far less); /通知回执 stops at 50 lines."""
    from teamassist.database import transaction
    from teamassist.team import service as team_service

    with transaction(desk.runtime.factory) as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        team = team_service.default_team(session, workspace_id=ws.id)
        for i in range(60):
            team_people.add_member(
                session, workspace=ws, team=team, handle=f"p{i:03}", display_name=f"成员{i:03}"
            )
    started = desk.text("/职业规划 发起 开发者社区 202612201800", as_="lihua")
    assert "已为 67 人发起" in started and "等 67 人" in started, started
    assert started.count("、") == 19  # twenty names
    listing = desk.text("/职业规划 进度", as_="lihua")
    assert "未填写 67" in listing, listing
    assert listing.count("· #") == 50 and "另有 17 位未列出" in listing, listing


def test_a_later_deadline_moves_an_unwritten_plan_and_says_so(desk: ChatDriver) -> None:
    """Tester F13 (session 18): 王五's plan was due 12-02 18:00, already past; the director
    started again with 截止 2026-12-31 18:00 and was told only 「已经发起过了」 while 王五 kept
    the past deadline. An unwritten plan now takes a later deadline, its action item follows,
    its person is told once; an earlier deadline or a written plan changes nothing."""
    desk.text("/职业规划 发起 @王五 @赵六 截止 2026-12-02 18:00", as_="lihua")
    set_clock(desk.runtime, "2026-12-03 09:00")
    plan_ids = {p.member_id: p.id for p in plans(desk.runtime)}
    people = ids(desk.runtime)
    desk.text("/职业规划 方向 做技术专家", as_="zhaoliu")
    assert [p.written_at is not None for p in plans(desk.runtime)] == [False, True]
    reply = desk.text("/职业规划 发起 @王五 @赵六 截止 2026-12-31 18:00 请认真填写", as_="lihua")
    moved = "王五 的 2026 年规划已经发起过，还没有填写：截止时间从 2026-12-02 18:00 改为 "
    assert moved + "2026-12-31 18:00" in reply, reply
    # 赵六 has written hers: the deadline stays, and the reply says why (tester F7, session 19)
    assert "赵六 的 2026 年规划已经填写，截止时间不再更改" in reply, reply
    dues = {p.member_id: p.due_at for p in plans(desk.runtime)}
    assert dues[people["wangwu"]] == datetime(2026, 12, 31, 10, 0, tzinfo=UTC)
    assert dues[people["zhaoliu"]] == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    items = {i.owner_id: i for i in career_items(desk.runtime)}
    assert items[people["wangwu"]].due_at == datetime(2026, 12, 31, 10, 0, tzinfo=UTC)
    told = [
        t for t in desk.queued_texts() if "的截止时间改为 2026-12-31 18:00" in t and "王五" in t
    ]
    assert len(told) == 1, told
    # The same again, or an earlier deadline, moves nothing and tells nobody twice.
    again = desk.text("/职业规划 发起 @王五 截止 2026-12-31 18:00", as_="lihua")
    assert "已经发起过了" in again and "改为" not in again, again
    earlier = desk.text("/职业规划 发起 @王五 截止 2026-12-20 18:00", as_="lihua")
    # the earlier deadline is not taken, and the reply says so (tester F12, session 20)
    kept = "王五 的 2026 年规划已经发起过，没有重复发送；截止时间只会推后、不会提前，仍是 "
    assert kept in earlier and "（没有改成 2026-12-20 18:00）" in earlier, earlier
    assert plans(desk.runtime)[0].due_at == datetime(2026, 12, 31, 10, 0, tzinfo=UTC)
    assert plan_ids == {p.member_id: p.id for p in plans(desk.runtime)}
    assert len([t for t in desk.queued_texts() if "的截止时间改为" in t]) == 1, desk.queued_texts()


def test_a_later_deadline_moves_an_item_done_and_awaiting_its_check(desk: ChatDriver) -> None:
    """Tester F16 (session 19): 王五 marked the plan's action item done without writing the
    plan; the director moved the deadline and the plan took it, the item kept the old (past)
    date, so sending it back left it overdue at once. An item awaiting its check follows the
    new deadline too; a closed one stays as it is."""
    people = ids(desk.runtime)
    desk.text("/职业规划 发起 @王五 截止 2026-12-02 18:00", as_="lihua")
    [item] = career_items(desk.runtime)
    assert "标记为完成" in desk.text(f"/完成销项 {item.id}", as_="wangwu")
    set_clock(desk.runtime, "2026-12-03 09:00")
    reply = desk.text("/职业规划 发起 @王五 截止 2026-12-31 18:00", as_="lihua")
    assert "改为 2026-12-31 18:00" in reply, reply
    [done] = career_items(desk.runtime)
    assert (done.owner_id, done.state) == (people["wangwu"], "done")
    assert done.due_at == datetime(2026, 12, 31, 10, 0, tzinfo=UTC)
    assert "已退回销项" in desk.text(f"/退回销项 {item.id} 规划还没写", as_="lihua")
    told = [t for t in desk.queued_texts() if "退回了销项" in t]
    assert len(told) == 1 and "12月31日" in told[0] and "12月2日" not in told[0], told


def test_a_leavers_plan_item_closes_with_them_and_goes_to_nobody(desk: ChatDriver) -> None:
    """Tester F15 (session 18): 赵六's career-plan action item was handed to the admin when
    赵六 left, though only 赵六 may write the plan; the admin got an item nobody could do.
    Now it closes with the departure and nobody is handed it; other items still move."""
    people = ids(desk.runtime)
    desk.text("/职业规划 发起 @赵六 截止 2026-12-31 18:00", as_="lihua")
    [item] = career_items(desk.runtime)
    other = desk.text("/销项 @赵六 整理接口文档 2026-12-10", as_="lihua")
    assert "销项" in other, other
    with demo(desk.runtime) as d:
        team_people.deactivate(d.session, member=d.member("zhaoliu"), now=desk.runtime.clock())
    [closed] = career_items(desk.runtime)
    assert (closed.id, closed.owner_id, closed.state) == (item.id, people["zhaoliu"], "closed")
    handed = [t for t in desk.queued_texts() if "转交给你" in t]
    assert handed and not any("职业发展规划" in t for t in handed), handed


def test_a_returning_leavers_plan_item_opens_again(desk: ChatDriver) -> None:
    """Session 20's leftover: 赵六's plan item closed when 赵六 left; `/启用成员` brought 赵六
    back but not the item, so the plan had no item to remind or follow it. Now it opens again,
    still 赵六's with its due time, the reply says so; an item handed to someone else at the
    departure stays with them, and a second return changes nothing."""
    people = ids(desk.runtime)
    desk.text("/职业规划 发起 @赵六 截止 2026-12-31 18:00", as_="lihua")
    [item] = career_items(desk.runtime)
    desk.text("/销项 @赵六 整理接口文档 2026-12-10", as_="lihua")
    left = desk.text("/停用成员 @zhaoliu", as_="admin")
    assert "停用" in left, left
    [closed] = career_items(desk.runtime)
    assert closed.state == "closed"

    back = desk.text("/启用成员 @zhaoliu", as_="admin")

    assert f"离开时随之关闭的销项 #{item.id} 已重新打开" in back, back
    [opened] = career_items(desk.runtime)
    assert (opened.id, opened.owner_id, opened.state) == (item.id, people["zhaoliu"], "open")
    assert opened.due_at == item.due_at and opened.closed_at is None
    with demo(desk.runtime) as d:
        handed = d.session.scalars(
            select(ActionItem).where(ActionItem.title == "整理接口文档")
        ).one()
        assert handed.owner_id == people["lihua"]  # handed back to its requester, stays there
    assert "已重新打开" not in desk.text("/启用成员 @zhaoliu", as_="admin")


def test_a_plan_is_written_from_any_team_of_its_person(desk: ChatDriver) -> None:
    """Tester F13 (session 21): 赵六 switched to 运维组 and wrote `/职业规划 方向 …` as his
    plan's DM invites: 「您在「运维组」还没有职业发展规划」. A plan is the person's, one a year
    (tester s25 F-16): from the other team's chat it is found and written."""
    from teamassist.database import transaction
    from teamassist.enums import Role
    from teamassist.team import service as team_service
    from tests.team.support import second_team

    desk.text("/职业规划 发起 @张三 截止 2026-12-31 18:00 请写规划", as_="lihua")
    with transaction(desk.runtime.factory) as session:
        team2 = second_team(session)
        zhangsan = team_service.get_member_by_handle(
            session, workspace_id=team2.workspace_id, handle="zhangsan"
        )
        assert zhangsan is not None
        team_service.set_role(session, team=team2, member=zhangsan, role=Role.MEMBER)
    desk.text("/切换团队 第二团队", as_="zhangsan")
    written = desk.text("/职业规划 方向 做架构", as_="zhangsan")
    assert "还没有职业发展规划" not in written and "做架构" in written, written
    assert [p.direction for p in plans(desk.runtime)] == ["做架构"]
    assert "做架构" in desk.text("/职业规划", as_="zhangsan")
