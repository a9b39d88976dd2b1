"""The after-meeting evaluation of a period meeting, on every backend: members rank the leaders
in the day after the meeting, ballots are secret and the result is hidden until the form
closes, then the Borda ranking is shown; wrong ballots get a clear reply and change nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamassist.meetings import demo as meetings_demo
from teamassist.meetings import evaluation
from teamassist.meetings.models import MeetingOccurrence, MeetingRank
from teamassist.runtime import Runtime
from teamassist.team.models import Member, Team
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver
from tests.support.races import Work, side_by_side


def _id(runtime: Runtime, key: str) -> int:
    with runtime.factory() as session:
        found = session.scalar(select(MeetingOccurrence.id).where(MeetingOccurrence.key == key))
        assert found is not None
        return found


def _ballots(runtime: Runtime) -> int:
    with runtime.factory() as session:
        return int(session.scalar(select(func.count()).select_from(MeetingRank)) or 0)


def test_rank_the_leaders_after_the_monthly_meeting(chat: ChatDriver) -> None:
    set_clock(chat.runtime, "2026-11-02 09:00")
    assert "王五" in chat.text("/设置角色 @wangwu 主管", as_="admin")
    chat.runtime.scheduler.tick()
    monthly = _id(chat.runtime, "monthly:2026-10")  # 11-03 08:30–10:00
    weekly = _id(chat.runtime, "weekly:2026-11-06")

    set_clock(chat.runtime, "2026-11-03 09:00")
    assert "会议结束后开放一天" in chat.text(f"/评价 {monthly} @lihua", as_="zhangsan")
    set_clock(chat.runtime, "2026-11-03 10:00")
    chat.runtime.scheduler.tick()  # the evaluation step: to the whole team
    asked = [t for t in chat.queued_texts(meetings_demo.TEAM_ADDRESS) if "OKR评价" in t]
    assert len(asked) == 1 and f"/评价 {monthly} @第一名" in asked[0]
    assert "候选：李华、王五" in asked[0]

    set_clock(chat.runtime, "2026-11-03 10:30")
    reply = chat.text(f"/评价 {monthly} @lihua @wangwu", as_="zhangsan")
    assert "已记下你对2026年10月OKR月会的评价（2 位负责人）" in reply, reply
    chat.text(f"/评价 {monthly} @wangwu @lihua", as_="zhangsan")  # replaces the first
    chat.text(f"/rank {monthly} @lihua @wangwu", as_="lisi")
    chat.text(f"/评价 {monthly} @wangwu", as_="sunqi")
    assert _ballots(chat.runtime) == 5
    assert "不是本次评价的候选负责人" in chat.text(f"/评价 {monthly} @zhangsan", as_="lisi")
    assert "只能出现一次" in chat.text(f"/评价 {monthly} @lihua @lihua", as_="lisi")
    assert "没有会后评价" in chat.text(f"/评价 {weekly} @lihua", as_="lisi")
    assert _ballots(chat.runtime) == 5
    assert "还没有截止" in chat.text(f"/评价结果 {monthly}", as_="lihua")

    set_clock(chat.runtime, "2026-11-04 10:00")  # closed a day after the meeting ended
    assert "不开放" in chat.text(f"/评价 {monthly} @lihua", as_="wangwu")
    result = chat.text(f"/评价结果 {monthly}", as_="zhangsan")
    # zhangsan: 王五 2, 李华 1; lisi: 李华 2, 王五 1; sunqi: 王五 1
    assert "共 3 人参与评价" in result
    assert result.index("第1名 王五 · 4 分 · 3 票") < result.index("第2名 李华 · 3 分 · 2 票")


def test_one_judge_ranking_twice_at_once_keeps_one_ballot(chat: ChatDriver) -> None:
    """Tester s26 B-29: two rankings of one judge at once on PostgreSQL both found no ballot
    to replace, both inserted, and one caller died of the unique key's IntegrityError."""
    set_clock(chat.runtime, "2026-11-02 09:00")
    assert "王五" in chat.text("/设置角色 @wangwu 主管", as_="admin")
    chat.runtime.scheduler.tick()
    monthly = _id(chat.runtime, "monthly:2026-10")
    set_clock(chat.runtime, "2026-11-03 10:30")  # the form is open
    now = chat.runtime.clock()

    def rank(order: list[str]) -> Work:
        def work(session: Session) -> None:
            occ = session.get_one(MeetingOccurrence, monthly)
            team = session.get_one(Team, occ.team_id)
            people = {
                m.handle: m
                for m in session.scalars(
                    select(Member).where(Member.workspace_id == team.workspace_id)
                )
            }
            evaluation.submit(
                session,
                team=team,
                occ=occ,
                judge=people["zhangsan"],
                ranked=[people[h] for h in order],
                now=now,
            )

        return work

    # A unique-key clash is retried as a whole unit of work, but only a few times, and with
    # eight at once (the tester's eight processes) each retry can clash again: without retries
    # the second ranking must wait for the first's lock, not fail.
    orders = [["lihua", "wangwu"], ["wangwu", "lihua"]]
    outcomes = side_by_side(chat.runtime, [rank(order) for order in orders], attempts=1)
    assert outcomes == ["ok", "ok"]
    assert _ballots(chat.runtime) == 2  # one ballot of two places: the later one
