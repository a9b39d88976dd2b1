"""The after-meeting evaluation of a period meeting, on every backend: members rank the leaders
in the day after the meeting, ballots are secret and the result is hidden until the form
closes, then the Borda ranking is shown; wrong ballots get a clear reply and change nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from teamassist.meetings import demo as meetings_demo
from teamassist.meetings.models import MeetingOccurrence, MeetingRank
from teamassist.runtime import Runtime
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver


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
