"""Check-in reminders and the director's digest, through the scheduler at pinned times.

2026 facts (chinesecalendar): 中秋 Fri 09-25 off; 国庆 10-01..10-07 off; Sat 10-10 is a 调休
working day, Sun 10-11 is not. 2027 has no official data (provisional).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from teamassist.chat import notify
from teamassist.chat.render import to_plain
from teamassist.chat.types import Reply
from teamassist.okr import reminders
from teamassist.okr.rhythm_models import Reminder
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team import people
from teamassist.team import service as team_service
from teamassist.workdays import ChinaWorkdays
from tests.okr.support import demo, set_clock
from tests.support.chat import ChatDriver


@pytest.fixture
def okr_chat(sqlite_chat: ChatDriver) -> ChatDriver:
    return sqlite_chat


def _settings(runtime: Runtime, **okr: Any) -> None:
    with demo(runtime) as given:
        given.team.settings = {**(given.team.settings or {}), "okr": okr}
        given.team.director_id = given.member("admin").id


def _publish(chat: ChatDriver, handle: str = "zhangsan", title: str = "提升交付质量") -> None:
    """A published O with two KRs (KR numbers follow the team's cycle)."""
    reply = chat.text(f"/新建目标 {title}", as_=handle)
    ref = reply.split("目标 ")[1].split("「")[0]
    chat.text(f"/新建KR {ref} 线上缺陷数 起始 50 目标 10 单位 个 权重 50%", as_=handle)
    chat.text(f"/新建KR {ref} 营收 起始 100 目标 200 单位 万元 权重 50%", as_=handle)
    assert "已发布" in chat.text(f"/发布OKR {ref}", as_=handle)


def _notices(runtime: Runtime, prefix: str) -> list[tuple[str, str, Any]]:
    """(address, plain text, created_at) of queued notices whose key starts with ``prefix``."""
    with runtime.factory() as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.idempotency_key.startswith(prefix))
            .order_by(OutboxMessage.id)
        )
        return [(r.address, to_plain(Reply.model_validate(r.payload)), r.created_at) for r in rows]


def _tick(chat: ChatDriver, when: str) -> None:
    set_clock(chat.runtime, when)
    chat.runtime.scheduler.tick()


def _address(runtime: Runtime, handle: str) -> str:
    """Where a DM to ``handle`` goes (as :func:`teamassist.chat.notify.to_member` picks it)."""
    with demo(runtime) as given:
        member = given.member(handle)
        keys = {i.platform: i.user_key for i in member.identities}
        for platform in notify.DIRECT_PLATFORMS:
            if platform in keys:
                return keys[platform]
        return f"{team_service.INBOX_PREFIX}{member.id}"


def test_reminder_days_skip_holidays_and_move_back_in_the_week() -> None:
    workdays = ChinaWorkdays()
    # 国庆: Friday 10-02 is off, the week's last working day before it is Wednesday 09-30.
    assert reminders.reminder_days(workdays, date(2026, 10, 2), [5]) == {date(2026, 9, 30)}
    # 中秋 Friday 09-25 off: Thursday.
    assert reminders.reminder_days(workdays, date(2026, 9, 25), [5]) == {date(2026, 9, 24)}
    # An ordinary week: the Friday itself.
    assert reminders.reminder_days(workdays, date(2026, 10, 14), [5]) == {date(2026, 10, 16)}
    # Every working day: the 调休 Saturday is one, the Sunday after it is not.
    week = reminders.reminder_days(workdays, date(2026, 10, 10), list(range(1, 8)))
    assert week == {date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)}
    # A week with no working day at all on or before the weekday: nothing.
    assert reminders.reminder_days(workdays, date(2026, 10, 5), [1, 2, 3]) == set()


def test_team_exceptions_override_the_calendar() -> None:
    from teamassist.okr.settings import OkrSettings

    calendar = reminders.TeamWorkdays(
        ChinaWorkdays(),
        OkrSettings(
            days_off=frozenset({date(2026, 10, 16)}),
            extra_workdays=frozenset({date(2026, 10, 18)}),
        ),
    )
    assert not calendar.is_workday(date(2026, 10, 16)) and calendar.is_workday(date(2026, 10, 18))
    assert reminders.reminder_days(calendar, date(2026, 10, 16), [5]) == {date(2026, 10, 15)}


def test_weekly_reminder_skips_national_day_and_reminds_a_stale_owner(
    okr_chat: ChatDriver,
) -> None:
    runtime = okr_chat.runtime
    _settings(runtime)
    set_clock(runtime, "2026-09-29 10:00")  # Q3: nothing of the team's in Q4 yet
    set_clock(runtime, "2026-10-08 10:00")  # Thursday after 国庆, Q4
    _publish(okr_chat)
    _tick(okr_chat, "2026-10-09 16:00")  # Friday: published yesterday, not stale
    assert _notices(runtime, "okr.checkin_reminder:") == []
    _tick(okr_chat, "2026-10-16 16:00")  # 8 days since publication
    [(address, text, created)] = _notices(runtime, "okr.checkin_reminder:")
    assert address == _address(runtime, "zhangsan")
    assert "OKR 进展提醒" in text and "张三" in text
    assert "KR-1「线上缺陷数」（O-1）：发布后还没有登记过，已 8 天" in text
    assert "KR-2「营收」" in text and "/进展 KR-1 30" in text
    assert "尚未公布" not in text  # 2026 has official data
    assert created == set_clock(runtime, "2026-10-16 16:00")  # the pinned time, not the wall


def test_holiday_friday_sends_nothing(okr_chat: ChatDriver) -> None:
    runtime = okr_chat.runtime
    _settings(runtime, reminder_weekdays=list(range(1, 8)), checkin_days=1)
    set_clock(runtime, "2026-10-01 10:00")  # 国庆 day 1: Q4 has started
    _publish(okr_chat)
    for day in ("2026-10-02", "2026-10-03", "2026-10-07"):
        _tick(okr_chat, f"{day} 16:00")
    assert _notices(runtime, "okr.checkin_reminder:") == []
    _tick(okr_chat, "2026-10-08 16:00")  # the first working day
    assert len(_notices(runtime, "okr.checkin_reminder:")) == 1


def test_make_up_working_day_gets_a_reminder_its_sunday_does_not(okr_chat: ChatDriver) -> None:
    runtime = okr_chat.runtime
    _settings(runtime, reminder_weekdays=[6, 7], checkin_days=1, reminder_time="09:30")
    set_clock(runtime, "2026-10-08 10:00")
    _publish(okr_chat)
    _tick(okr_chat, "2026-10-10 09:30")  # 调休 Saturday: a working day
    [(_a, text, _c)] = _notices(runtime, "okr.checkin_reminder:")
    assert "已 2 天" in text
    _tick(okr_chat, "2026-10-11 09:30")  # Sunday (off): moves back to Saturday, already sent
    _tick(okr_chat, "2026-10-17 09:30")  # an ordinary Saturday: off, and so is Sunday
    _tick(okr_chat, "2026-10-18 09:30")
    assert len(_notices(runtime, "okr.checkin_reminder:")) == 1


def test_escalation_after_n_reminders_and_no_double_send(okr_chat: ChatDriver) -> None:
    runtime = okr_chat.runtime
    _settings(runtime, escalate_after=2)
    set_clock(runtime, "2026-10-08 10:00")
    _publish(okr_chat)
    _tick(okr_chat, "2026-10-16 16:00")
    _tick(okr_chat, "2026-10-16 16:00")  # a re-run tick
    team_id = _team_id(runtime)
    report = runtime.scheduler.run_now("okr.checkin_reminder", team_id)  # same slot, claimed
    assert report.ran == []
    with demo(runtime) as given:  # a second worker calling the service again the same day
        reminders.run(
            given.session,
            team=given.team,
            today=date(2026, 10, 16),
            now=set_clock(runtime, "2026-10-16 16:05"),
            workdays=ChinaWorkdays(),
        )
    assert len(_notices(runtime, "okr.checkin_reminder:")) == 1
    with runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Reminder)) == 2  # 2 KRs, once
    _tick(okr_chat, "2026-10-23 16:00")  # second reminder: not yet escalated
    # (the digests before carry only the demo's overdue 销项, which the action desk adds)
    assert not any("提醒 2 次后仍未更新" in d for _a, d, _c in _notices(runtime, "okr.digest:"))
    _tick(okr_chat, "2026-10-30 16:00")  # reminded twice already: to the director
    [*_, (address, digest, _c)] = _notices(runtime, "okr.digest:")
    assert address == _address(runtime, "admin")  # the director
    assert "OKR 周报 · 10月30日" in digest
    assert "提醒 2 次后仍未更新" in digest
    assert "张三 · KR-1「线上缺陷数」（O-1）· 22 天未登记 · 落后 · 已提醒 2 次" in digest
    assert len(_notices(runtime, "okr.checkin_reminder:")) == 3
    set_clock(runtime, "2026-11-02 10:00")
    okr_chat.text("/进展 KR-1 30 信心 7", as_="zhangsan")  # KR-1 is fresh again
    _tick(okr_chat, "2026-11-06 16:00")
    [*_, (_a, latest, _c)] = _notices(runtime, "okr.checkin_reminder:")
    assert "KR-2「营收」" in latest and "KR-1「" not in latest
    [*_, (_a, digest, _c)] = _notices(runtime, "okr.digest:")
    assert "KR-2「营收」" in digest and "KR-1「" not in digest


def _team_id(runtime: Runtime) -> int:
    with demo(runtime) as given:
        return given.team.id


def test_departed_owner_is_not_reminded_and_flagged_for_the_director(
    okr_chat: ChatDriver,
) -> None:
    runtime = okr_chat.runtime
    _settings(runtime)
    set_clock(runtime, "2026-10-08 10:00")
    _publish(okr_chat, "zhangsan")
    _publish(okr_chat, "lisi", "降低成本")
    with demo(runtime) as given:
        people.deactivate(
            given.session, member=given.member("lisi"), now=set_clock(runtime, "2026-10-12 10:00")
        )
    team_view = okr_chat.text("/团队OKR", as_="zhangsan")
    assert "降低成本" in team_view and "负责人 李四（已离开）" in team_view  # flagged, not lost
    _tick(okr_chat, "2026-10-16 16:00")
    texts = _notices(runtime, "okr.checkin_reminder:")
    assert len(texts) == 1 and "张三" in texts[0][1] and "降低成本" not in texts[0][1]
    [(_a, digest, _c)] = _notices(runtime, "okr.digest:")
    assert "李四（已离开） · KR-3「线上缺陷数」（O-2）· 8 天未登记" in digest
    assert "已离开成员的目标" in digest and "李四（已离开） · O-2「降低成本」（2026Q4）" in digest


def test_2027_reminder_says_the_calendar_is_provisional(okr_chat: ChatDriver) -> None:
    runtime = okr_chat.runtime
    _settings(runtime)
    set_clock(runtime, "2027-01-04 10:00")
    _publish(okr_chat)
    _tick(okr_chat, "2027-01-15 16:00")
    [(_a, text, _c)] = _notices(runtime, "okr.checkin_reminder:")
    assert "2027年节假日尚未公布，提醒日按周一至周五估算" in text
