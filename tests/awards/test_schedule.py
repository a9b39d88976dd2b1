"""The sweep runs a month's round on the team's working days: nominations from the 1st
working day 09:00, voting from the 3rd-to-last working day 09:00, close on the last working
day 18:00 (November 2026: 2nd, 26th, 30th); the result is announced once, ties by the rule."""

from __future__ import annotations

from datetime import date

from teamassist.awards import rounds, schedule
from teamassist.awards.settings import AwardSettings
from teamassist.clock import local
from teamassist.database import transaction
from teamassist.ports import Workdays
from tests.awards.support import announced, round_of, set_up_groups, team_of
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver


def _tick(chat: ChatDriver, when: str) -> None:
    set_clock(chat.runtime, when)
    chat.runtime.scheduler.tick()


def test_a_month_runs_by_itself_and_announces_once(sqlite_chat: ChatDriver) -> None:
    chat = sqlite_chat
    set_up_groups(chat.runtime)
    # Before 09:00 on the first working day nothing opens (June's demo round closes).
    _tick(chat, "2026-11-02 08:50")
    assert "没有进行中的技术专家评选" in chat.text("/投票 @zhangsan", as_="sunqi")
    _tick(chat, "2026-11-02 09:00")
    nov = round_of(chat.runtime, "2026-11")
    assert nov.phase == "nominating"
    assert [
        local(x, "Asia/Shanghai").strftime("%m-%d %H:%M")
        for x in (nov.opened_at, nov.voting_at, nov.closes_at)
    ] == ["11-02 09:00", "11-26 09:00", "11-30 18:00"]
    # Given 张三 nominated by two people and 王五 by one,
    chat.text("/提名 @zhangsan 主导支付重构 https://git.example.com/pay/42", as_="lihua")
    chat.text("/提名 @zhangsan 线上零事故", as_="sunqi")
    chat.text("/提名 @wangwu 可观测性看板", as_="zhaoliu")
    _tick(chat, "2026-11-25 18:00")
    assert round_of(chat.runtime, "2026-11").phase == "nominating"
    _tick(chat, "2026-11-26 09:00")
    assert round_of(chat.runtime, "2026-11").phase == "voting"
    # when the vote ties one to one,
    chat.text("/投票 @wangwu", as_="sunqi")
    chat.text("/投票 @zhangsan", as_="lisi")
    _tick(chat, "2026-11-30 17:45")
    assert round_of(chat.runtime, "2026-11").phase == "voting"
    _tick(chat, "2026-11-30 18:00")
    # then 张三 wins on more nominators, announced once even when the close runs again.
    _tick(chat, "2026-11-30 18:15")
    with transaction(chat.runtime.factory) as session:
        row = rounds.by_period(session, team=team_of(session), period="2026-11")
        assert row is not None
        rounds.close(session, team=team_of(session), round_=row, now=chat.runtime.clock())
    [notice] = [n for n in announced(chat) if "2026年11月" in n]
    assert "2026年11月月度技术专家：张三（1 票）" in notice, notice
    assert "提名人更多的一位当选" in notice
    assert "计票：张三 1 票 · 王五 1 票" in notice


def test_the_plan_follows_the_working_calendar(sqlite_chat: ChatDriver) -> None:
    workdays = sqlite_chat.runtime.ports.get(Workdays)
    # October 2026: 1–7 are the National Day holiday, work starts on the 8th, and
    # Saturday the 10th is a 调休 working day.
    days = schedule.working_days(2026, 10, workdays)
    assert days[:3] == [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)]
    knobs = AwardSettings(nominate_day=2, vote_days=1, close_time="17:00")
    plan = schedule.plan("2026-10", tz="Asia/Shanghai", knobs=knobs, workdays=workdays)
    shown = [
        local(x, "Asia/Shanghai").strftime("%m-%d %H:%M")
        for x in (plan.opened_at, plan.voting_at, plan.closes_at)
    ]
    assert shown == ["10-09 09:00", "10-30 09:00", "10-30 17:00"]
