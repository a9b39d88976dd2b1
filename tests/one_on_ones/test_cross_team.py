"""A 1on1 pair is a manager and a report of one team: another team's admin (standing in for
its director) may not make themselves the manager of this team's people (tester 2, session 18:
boss2 of 第二团队 set up weekly 1on1s with 赵六 of 开发者社区 and read their OKRs and overdue
items; 赵六 could not even see the pair)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from teamassist.database import transaction
from teamassist.one_on_ones import service
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting
from teamassist.team import service as team_service
from tests.support.chat import ChatDriver
from tests.team.support import demo, second_team


@pytest.fixture
def two_teams(chat: ChatDriver) -> ChatDriver:
    with transaction(chat.runtime.factory) as session:
        second_team(session)
    return chat


def _pairs(chat: ChatDriver) -> int:
    with chat.runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(OneOnOne)) or 0


def test_another_teams_admin_cannot_pair_with_this_teams_people(two_teams: ChatDriver) -> None:
    chat = two_teams
    before = _pairs(chat)
    for handle in ("zhaoliu", "zhangsan"):
        refused = chat.text(f"/一对一 @{handle} 每两周 周四 10:00", as_="boss2")
        assert "已设定1on1" not in refused, refused
    assert _pairs(chat) == before
    # Their own team's people they still may.
    made = chat.text("/一对一 @m2 每两周 周四 10:00", as_="boss2")
    assert "已设定1on1" in made, made
    assert _pairs(chat) == before + 1


def _meetings(chat: ChatDriver, pair_id: int) -> list[tuple[int, str]]:
    """A pair's occurrences (id, status), as stored."""
    with chat.runtime.factory() as session:
        rows = session.execute(
            select(OneOnOneMeeting.id, OneOnOneMeeting.status)
            .where(OneOnOneMeeting.pair_id == pair_id)
            .order_by(OneOnOneMeeting.id)
        ).all()
        return [(row[0], row[1]) for row in rows]


def _pair_of(chat: ChatDriver, one: str, other: str) -> int:
    with chat.runtime.factory() as session:
        d = demo(session)
        pair_id = session.scalar(
            select(OneOnOne.id).where(
                OneOnOne.manager_id == d[one].id, OneOnOne.report_id == d[other].id
            )
        )
        assert pair_id is not None
        return pair_id


def test_another_teams_admin_cannot_move_or_cancel_a_pairs_meeting(
    two_teams: ChatDriver,
) -> None:
    """王管理 administers 开发者社区 (the team his direct chat lands in), not 第二团队: his role
    there says nothing about a team-2 pair's meetings, which he is no party of."""
    chat = two_teams
    assert "已设定1on1" in chat.text("/一对一 @m2 每周 周三 15:00", as_="boss2")
    pair_id = _pair_of(chat, "boss2", "m2")
    before = _meetings(chat, pair_id)
    first = before[0][0]
    for text in (f"/取消一对一 {first}", f"/改期一对一 {first} 2026-06-05 16:00"):
        refused = chat.text(text, as_="admin")
        assert f"找不到这一对的 1on1 #{first}" in refused, (text, refused)
    assert _meetings(chat, pair_id) == before
    # team 2's admin, no party either, still may; and so may its people from anywhere
    assert "已取消 1on1" in chat.text(f"/取消一对一 {first}", as_="boss2")


def test_the_report_reaches_a_pair_of_another_team(two_teams: ChatDriver) -> None:
    """A pair left in 第二团队 with 赵六 (of 开发者社区 only) as its report, as session 18's
    bug made them: 赵六 could neither see it (「你还没有 1on1。」) nor cancel it."""
    chat = two_teams
    with transaction(chat.runtime.factory) as session:
        d = demo(session)
        team2 = team_service.get_teams(session, workspace_id=d.workspace.id)[1]
        service.add_pair(session, team=team2, manager=d["boss2"], report=d["zhaoliu"])
    assert "已设定1on1" in chat.text("/一对一 @zhaoliu 每周 周三 15:00", as_="boss2")
    pair_id = _pair_of(chat, "boss2", "zhaoliu")
    listed = chat.text("/一对一", as_="zhaoliu")
    assert "二号老板" in listed, listed
    shown = chat.text("/一对一 @boss2", as_="zhaoliu")
    assert "二号老板 ↔ 赵六" in shown and "还没有 1on1" not in shown, shown
    first = _meetings(chat, pair_id)[0][0]
    assert "已取消 1on1" in chat.text(f"/取消一对一 {first}", as_="zhaoliu")
    assert _meetings(chat, pair_id)[0] == (first, "cancelled")
