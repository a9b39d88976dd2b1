"""The duty desk in chat, given/when/then (demo: 技术 张三→李四→王五, 产品 赵六→孙七→李华,
today is Monday 2026-06-01, 09:00 in Shanghai)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist import events
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.duty import planning, service, signin
from teamassist.duty.models import SignIn, Swap
from teamassist.team import service as team_service
from tests.duty.helpers import at_local, demo_team, set_local, snapshot
from tests.support.chat import ChatDriver

# -- the seed's public commands ------------------------------------------------------------------


def test_roster_shows_seven_days_side_by_side_with_today_marked(chat: ChatDriver) -> None:
    text = chat.text("/查看值班表", as_="zhangsan")
    assert "值班表" in text
    first, *_rest = text.split("\n\n")
    assert "06-01 周一 ✅「今日值班」" in first
    assert "「技术」@张三　「产品」@赵六" in first
    assert "06-02 周二\n「技术」@李四　「产品」@孙七" in text
    assert "06-07 周日" in text and "06-08" not in text
    assert chat.text("/roster", as_="zhangsan") == text


def test_roster_for_more_days_and_too_many(sqlite_chat: ChatDriver) -> None:
    assert "06-10 周三" in sqlite_chat.text("/查看值班表 10", as_="lisi")
    assert "最多查看 31 天" in sqlite_chat.text("/查看值班表 40", as_="lisi")


def test_who_is_on_duty_now(sqlite_chat: ChatDriver) -> None:
    text = sqlite_chat.text("/今日值班", as_="sunqi")
    assert "「技术」@张三（未签到）" in text and "「产品」@赵六（未签到）" in text
    assert sqlite_chat.text("/who", as_="sunqi") == text


# -- sign-in and sign-out --------------------------------------------------------------------


def test_sign_in_then_sign_out_with_report(chat: ChatDriver, clock: FrozenClock) -> None:
    # when the person on duty signs in
    assert "签到成功" in chat.text("/值班签到", as_="zhangsan")
    # then a second sign-in gets the seed's answer
    assert chat.text("/值班签到", as_="zhangsan") == "「@张三」今天已经签到过了"
    assert "已签到 09:00" in chat.text("/今日值班", as_="lisi")
    # when they sign out in the evening with the duty report (emoji survive every backend)
    set_local(clock, date(2026, 6, 1), 22, 40)
    text = chat.text("/值班签出 处理了 3 个问题，都已回复 🎉", as_="zhangsan")
    assert "签出成功" in text and "值班日报已收到" in text
    with chat.runtime.factory() as session:
        team, members = demo_team(chat.runtime)
        [row] = signin.sign_ins(session, team=team, first=date(2026, 6, 1), last=date(2026, 6, 1))
        assert row.report == "处理了 3 个问题，都已回复 🎉"
        assert row.member_id == members["zhangsan"].id
    # then signing out again says so
    assert "已经签出过了" in chat.text("/值班签出 再来一次", as_="zhangsan")


def test_a_sign_in_is_one_insert_and_a_double_tap_meets_its_row(chat: ChatDriver) -> None:
    from sqlalchemy import event

    from teamassist.exceptions import Conflict

    team, members = demo_team(chat.runtime)
    now = chat.runtime.clock()
    statements: list[str] = []

    def seen(_c: object, _cur: object, statement: str, *_: object) -> None:
        statements.append(" ".join(statement.split()))

    # when 张三, on duty, signs in
    with transaction(chat.runtime.factory) as session:
        event.listen(chat.runtime.engine, "before_cursor_execute", seen)
        try:
            rows = signin.sign_in(session, team=team, member=members["zhangsan"], now=now)
        finally:
            event.remove(chat.runtime.engine, "before_cursor_execute", seen)
    # then where the database can skip a taken key itself, the row cost one statement (it
    # was a SELECT for it, then the INSERT inside a savepoint)
    assert [r.member_id for r in rows] == [members["zhangsan"].id]
    if chat.runtime.engine.dialect.name in {"sqlite", "postgresql"}:
        touching = [s for s in statements if "duty_sign_in" in s or "SAVEPOINT" in s]
        assert len(touching) == 1 and touching[0].startswith("INSERT INTO duty_sign_in")
    # and a second tap meets that row: "already signed in", still one row
    with pytest.raises(Conflict) as refused, transaction(chat.runtime.factory) as session:
        signin.sign_in(session, team=team, member=members["zhangsan"], now=now)
    assert refused.value.key == "duty.error.already_signed_in"
    with chat.runtime.factory() as session:
        found = session.scalars(select(SignIn)).all()
    assert [(r.member_id, r.duty_date) for r in found] == [
        (members["zhangsan"].id, date(2026, 6, 1))
    ]


def test_sign_out_before_sign_in_is_refused(sqlite_chat: ChatDriver) -> None:
    before = snapshot(sqlite_chat.runtime)
    assert sqlite_chat.text("/值班签出", as_="zhangsan") == "「@张三」今天还未签到过，请先签到"
    assert snapshot(sqlite_chat.runtime) == before


def test_sign_out_without_report_asks_for_it_and_accepts_it_later(
    sqlite_chat: ChatDriver,
) -> None:
    sqlite_chat.text("/值班签到", as_="zhangsan")
    assert "还差一份值班日报" in sqlite_chat.text("/值班签出", as_="zhangsan")
    assert "值班日报已补交" in sqlite_chat.text("/值班签出 今天很平静", as_="zhangsan")


def test_signing_out_again_without_the_report_says_it_is_still_missing(
    sqlite_chat: ChatDriver,
) -> None:
    """Tester s27 A-10: a second /值班签出 without a report answered 「值班日报也已收到」
    while no report had ever been given; the person believed it and never sent it."""
    sqlite_chat.text("/值班签到", as_="zhangsan")
    assert "还差一份值班日报" in sqlite_chat.text("/值班签出", as_="zhangsan")
    assert sqlite_chat.text("/值班签出", as_="zhangsan") == (
        "「@张三」今天已经签出过了，但还差一份值班日报，请发送：/值班签出 <今天的值班日报>"
    )
    assert "值班日报已补交" in sqlite_chat.text("/值班签出 今天很平静", as_="zhangsan")
    assert sqlite_chat.text("/值班签出", as_="zhangsan") == (
        "「@张三」今天已经签出过了，值班日报也已收到。"
    )


def test_only_todays_duty_people_sign_in_admins_too(sqlite_chat: ChatDriver) -> None:
    before = snapshot(sqlite_chat.runtime)
    assert "今天不是你值班" in sqlite_chat.text("/值班签到", as_="lisi")
    assert "今天不是你值班" in sqlite_chat.text("/值班签到", as_="admin")
    assert "今天不是你值班" in sqlite_chat.text("/值班签出", as_="admin")
    assert snapshot(sqlite_chat.runtime) == before


def test_sign_in_belongs_to_the_duty_day_that_starts_at_3am(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    # at 01:30 on Tuesday, Monday's duty day (张三) is still running
    set_local(clock, date(2026, 6, 2), 1, 30)
    assert "签到成功" in sqlite_chat.text("/值班签到", as_="zhangsan")
    assert "今天不是你值班" in sqlite_chat.text("/值班签到", as_="lisi")
    set_local(clock, date(2026, 6, 2), 3, 0)
    assert "签到成功" in sqlite_chat.text("/值班签到", as_="lisi")


def test_signed_in_event_is_published(sqlite_chat: ChatDriver) -> None:
    seen: list[str] = []

    def on_signed_in(_session: Session, event: events.DutySignedIn) -> None:
        seen.append(event.member.handle)

    sqlite_chat.runtime.events.subscribe(events.DutySignedIn, on_signed_in)
    sqlite_chat.text("/值班签到", as_="zhaoliu")
    assert seen == ["zhaoliu"]


def test_on_duty_people_may_use_duty_commands(sqlite_chat: ChatDriver) -> None:
    # the dispatcher asks the roster (on_duty_check) for ON_DUTY commands
    on_duty_spec = next(s for s in sqlite_chat.runtime.registry.specs if s.permission == "on_duty")
    word = f"/{on_duty_spec.name}"
    assert "需要有权限的人" in sqlite_chat.text(word, as_="lisi")
    assert "需要有权限的人" not in sqlite_chat.text(word, as_="zhangsan")


# -- roster edits (admin) --------------------------------------------------------------------


def test_add_members_to_the_end_from_now(sqlite_chat: ChatDriver) -> None:
    text = sqlite_chat.text("/值班人员增加 @sunqi @admin", as_="admin")
    assert "已把 @孙七、@王管理 加入「技术」轮值，即刻生效" in text
    assert "值班日期有变化的人" in text
    roster = sqlite_chat.text("/查看值班表", as_="admin")
    assert "06-01 周一 ✅「今日值班」\n「技术」@张三" in roster  # today is untouched
    assert "06-04 周四\n「技术」@孙七" in roster
    assert "06-05 周五\n「技术」@王管理" in roster


def test_add_to_the_product_rotation_from_a_date(sqlite_chat: ChatDriver) -> None:
    text = sqlite_chat.text("/值班人员增加 @zhangsan 产品 2026-06-03", as_="admin")
    assert "加入「产品」轮值，2026-06-03 生效" in text
    roster = sqlite_chat.text("/查看值班表", as_="admin")
    assert "06-02 周二\n「技术」@李四　「产品」@孙七" in roster
    assert "06-03 周三\n「技术」@王五　「产品」@李华" in roster
    assert "06-04 周四\n「技术」@张三　「产品」@张三" in roster


def test_an_add_sent_again_while_it_waits_for_its_day_names_the_day(chat: ChatDriver) -> None:
    """Tester s26 A-10: the same /值班人员增加 sent again while the first waited for its day
    answered 「「李四」已经在「技术」轮值里了」 of someone not in it until then."""
    assert "2026-06-10 生效" in chat.text("/值班人员增加 @sunqi 2026-06-10", as_="admin")
    before = snapshot(chat.runtime)
    for again in ("/值班人员增加 @sunqi 2026-06-10", "/值班人员增加 @sunqi 2026-06-12"):
        text = chat.text(again, as_="admin")
        assert "「孙七」已经安排在 2026-06-10 加入「技术」轮值，不用再加" in text, text
    # today, before that day: the same, not the pending change's general refusal
    assert "已经安排在 2026-06-10 加入" in chat.text("/值班人员增加 @sunqi", as_="admin")
    assert snapshot(chat.runtime) == before
    # someone in the rotation now is still told so
    again = chat.text("/值班人员增加 @lisi 2026-06-12", as_="admin")
    assert "「李四」已经在「技术」轮值里了" in again, again


def test_a_turn_larger_than_the_rotation_is_said(sqlite_chat: ChatDriver) -> None:
    """Tester s26 A-10: a turn of more people than the rotation has was stored without a word;
    every turn is then all of them. Said in the reply, not refused (a rotation fills in steps)."""
    runtime = sqlite_chat.runtime
    team, _ = demo_team(runtime)
    with transaction(runtime.factory) as session:
        live = team_service.get_team(session, workspace_id=team.workspace_id, team_id=team.id)
        rotation = service.get_rotation(session, team=live)
        service.change_roster(
            session,
            team=live,
            rotation=rotation,
            change=planning.RosterChange(action=planning.ACTION_PARAMS, people_per_turn=3),
            now=runtime.clock(),
        )
    text = sqlite_chat.text("/值班人员移除 @lisi 2026-06-03", as_="admin")
    assert "已把 @李四 移出「技术」轮值" in text
    assert "「技术」每班 3 人，轮值里只有 2 人，所以每一班都是这 2 个人，不会轮换" in text, text
    added = sqlite_chat.text("/值班人员增加 @sunqi 2026-06-05", as_="admin")
    assert "每班 3 人" not in added, added  # three people again: nothing to say


def test_remove_members(sqlite_chat: ChatDriver) -> None:
    text = sqlite_chat.text("/值班人员移除 @lisi", as_="admin")
    assert "已把 @李四 移出「技术」轮值" in text
    roster = sqlite_chat.text("/查看值班表", as_="admin")
    assert "「技术」@李四" not in roster
    assert "06-02 周二\n「技术」@王五" in roster


def test_swap_two_places(sqlite_chat: ChatDriver) -> None:
    sqlite_chat.text("/值班交换 @zhangsan @wangwu", as_="admin")
    roster = sqlite_chat.text("/查看值班表", as_="admin")
    assert "06-01 周一 ✅「今日值班」\n「技术」@王五" in roster
    assert "06-03 周三\n「技术」@张三" in roster


def test_replan_from_someone(sqlite_chat: ChatDriver) -> None:
    sqlite_chat.text("/重新排班 @wangwu", as_="admin")
    roster = sqlite_chat.text("/查看值班表", as_="admin")
    assert "06-01 周一 ✅「今日值班」\n「技术」@王五" in roster
    assert "06-02 周二\n「技术」@张三" in roster
    # the same person, asked by someone not on the roster, can sign in now
    assert "签到成功" in sqlite_chat.text("/值班签到", as_="wangwu")


def test_members_cannot_edit_the_roster(sqlite_chat: ChatDriver) -> None:
    before = snapshot(sqlite_chat.runtime)
    assert "需要有权限的人" in sqlite_chat.text("/值班人员增加 @sunqi", as_="zhangsan")
    assert "需要有权限的人" in sqlite_chat.text("/重新排班 @lisi", as_="lihua")  # a lead
    assert snapshot(sqlite_chat.runtime) == before


# -- bad input: a clear reply, and nothing changed ------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/值班人员增加 @nobody", "找不到成员「nobody」"),
        ("/值班人员移除 @zhangsan", "不能删除当前的值班人员哦"),
        ("/值班人员移除 @sunqi", "「孙七」不在「技术」轮值里"),
        ("/值班人员增加 @lisi", "「李四」已经在「技术」轮值里了"),
        ("/值班交换 @lisi @lisi", "不能和自己交换哦"),
        ("/值班交换 @lisi", "交换需要 @ 两位值班人员"),
        ("/值班人员增加 @sunqi 2026-05-20", "「2026-05-20」已经过去了"),
        ("/值班人员增加 @sunqi 昨天", "「2026-05-31」已经过去了"),
        ("/值班人员增加 @sunqi 运维", "找不到轮值「运维」，现有的轮值：技术、产品"),
        ("/重新排班 @sunqi", "「孙七」不在「技术」轮值里"),
        ("/值班人员增加", "缺少参数"),
        ("/值班换班 @lisi 2026-06-01 @sunqi", "「李四」在 2026-06-01 没有值班"),
        ("/值班换班 @lisi 2026-06-02 @lisi", "不能和自己交换哦"),
        ("/值班代班 @sunqi 2026-05-01", "已经过去了"),
        ("/值班代班 @sunqi 2026-06-05 2026-06-04", "结束时间必须晚于开始时间"),
        ("/值班暂停", "缺少参数"),
        ("/值班日历 2026-06-01 休息", "例外日期只能设在明天及以后"),
        ("/值班日历 2026-06-09 放假", "无法识别，请写 值班 或 休息"),
    ],
)
def test_bad_input_gets_a_clear_reply_and_changes_nothing(
    sqlite_chat: ChatDriver, command: str, expected: str
) -> None:
    before = snapshot(sqlite_chat.runtime)
    roster = sqlite_chat.text("/查看值班表", as_="admin")
    assert expected in sqlite_chat.text(command, as_="admin")
    assert snapshot(sqlite_chat.runtime) == before
    assert sqlite_chat.text("/查看值班表", as_="admin") == roster


def test_bad_input_on_every_backend(chat: ChatDriver) -> None:
    before = snapshot(chat.runtime)
    assert "不能和自己交换哦" in chat.text("/值班交换 @wangwu @wangwu", as_="admin")
    assert "不能删除当前的值班人员哦" in chat.text("/值班人员移除 @zhaoliu 产品", as_="admin")
    assert snapshot(chat.runtime) == before


def test_overlapping_overrides_are_refused(chat: ChatDriver) -> None:
    assert "已安排" in chat.text("/值班代班 @sunqi 2026-06-05 2026-06-06", as_="admin")
    before = snapshot(chat.runtime)
    text = chat.text("/值班暂停 2026-06-06 2026-06-07", as_="admin")
    assert "和已有的临时安排（2026-06-05 03:00 至 2026-06-07 03:00）重叠了" in text
    assert snapshot(chat.runtime) == before


def test_empty_rotation_is_reported(sqlite_chat: ChatDriver) -> None:
    runtime = sqlite_chat.runtime
    team, _ = demo_team(runtime)
    with transaction(runtime.factory) as session:
        live = team_service.get_team(session, workspace_id=team.workspace_id, team_id=team.id)
        service.create_rotation(
            session,
            team=live,
            key="ops",
            name="运维",
            start_date=date(2026, 6, 1),
            now=runtime.clock(),
        )
    before = snapshot(runtime)
    text = sqlite_chat.text("/重新排班 @zhangsan 运维", as_="admin")
    assert "「运维」轮值里还没有人" in text
    assert snapshot(runtime) == before
    assert "「运维」还没有人" in sqlite_chat.text("/查看值班表", as_="admin")


def test_no_rotations_yet(chat_without_rotations: ChatDriver) -> None:
    chat = chat_without_rotations
    assert "还没有任何值班轮值" in chat.text("/查看值班表", as_="admin")
    assert "还没有任何值班轮值" in chat.text("/值班人员移除 @zhangsan", as_="admin")


# -- overrides, swaps, calendar -----------------------------------------------------------------


def test_cover_and_pause(sqlite_chat: ChatDriver) -> None:
    text = sqlite_chat.text("/值班代班 @admin 2026-06-02", as_="admin")
    assert "2026-06-02 03:00 至 2026-06-03 03:00，「技术」由 @王管理 值班" in text
    assert "无人值班" in sqlite_chat.text("/值班暂停 2026-06-03 产品", as_="admin")
    roster = sqlite_chat.text("/查看值班表", as_="admin")
    assert "06-02 周二\n「技术」@王管理（代班）　「产品」@孙七" in roster
    assert "06-03 周三\n「技术」@王五　「产品」无人值班" in roster


def test_cover_today_starts_now_and_keeps_the_morning(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    set_local(clock, date(2026, 6, 1), 14)
    text = sqlite_chat.text("/值班代班 @admin 今天", as_="admin")
    assert "2026-06-01 14:00 至 2026-06-02 03:00" in text
    roster = sqlite_chat.text("/查看值班表 1", as_="admin")
    # the morning stays in the table, marked over: the cover holds the rest (tester s29 F-8)
    assert "「技术」@张三（已结束） → @王管理（代班）" in roster


def test_shift_swap_by_one_of_the_two(chat: ChatDriver) -> None:
    # every backend: the swap applies from its stored creation time, to the microsecond
    # 李四 (June 2) and 王五 (June 3) trade their shifts
    text = chat.text("/值班换班 @lisi 2026-06-02 @wangwu 2026-06-03", as_="lisi")
    assert "换班成功" in text
    roster = chat.text("/查看值班表", as_="admin")
    assert "06-02 周二\n「技术」@王五（换班）" in roster
    assert "06-03 周三\n「技术」@李四（换班）" in roster
    # someone else may not swap other people's shifts
    before = snapshot(chat.runtime)
    text = chat.text("/值班换班 @zhangsan 2026-06-04 @lisi", as_="sunqi")
    assert "只有管理员或换班的当事人才能换班" in text
    assert snapshot(chat.runtime) == before


def test_a_swap_of_a_day_held_by_a_cover_is_refused_with_the_way(chat: ChatDriver) -> None:
    """Tester F1 (session 22): 李四 covered a day (/值班代班), then /值班换班 of that day to
    王五 answered 「代班成功」 and changed nothing: swaps lie beneath covers. Refused now, nothing
    stored, and the reply's two commands do hand the day over."""
    assert "已安排" in chat.text("/值班代班 @lisi 2026-06-03", as_="admin")
    before = snapshot(chat.runtime)
    refused = chat.text("/值班换班 @lisi 2026-06-03 @sunqi", as_="admin")
    assert refused == (
        "「李四」在 2026-06-03 是临时代班（/值班代班），不是轮值排到的班，换班换不了临时安排，"
        "这次没有改动。要让 孙七 接手：先 /取消代班 2026-06-03 技术，"
        "再 /值班代班 @孙七 2026-06-03 技术。"
    ), refused
    assert snapshot(chat.runtime) == before
    assert "已取消" in chat.text("/取消代班 2026-06-03 技术", as_="admin")
    assert "已安排" in chat.text("/值班代班 @孙七 2026-06-03 技术", as_="admin")
    assert "06-03 周三\n「技术」@孙七（代班）" in chat.text("/查看值班表", as_="admin")
    # 李四's own rotation day still swaps
    assert "代班成功" in chat.text("/值班换班 @lisi 2026-06-02 @sunqi", as_="admin")


def test_calendar_view_and_exception_day(sqlite_chat: ChatDriver) -> None:
    assert "「技术」每天值班" in sqlite_chat.text("/值班日历", as_="zhangsan")
    assert "需要有权限的人" in sqlite_chat.text("/值班日历 2026-06-02 休息", as_="zhangsan")
    text = sqlite_chat.text("/值班日历 2026-06-02 休息", as_="admin")
    assert "已把 2026-06-02 设为「技术」的休息日" in text
    roster = sqlite_chat.text("/查看值班表", as_="admin")
    assert "06-02 周二\n「技术」休息" in roster
    assert "06-03 周三\n「技术」@李四" in roster  # the day is skipped, not the person
    assert "2026-06-02" in sqlite_chat.text("/值班日历", as_="admin")


def test_roster_warns_about_a_year_without_holiday_data(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    runtime = sqlite_chat.runtime
    team, _ = demo_team(runtime)
    with transaction(runtime.factory) as session:
        live = team_service.get_team(session, workspace_id=team.workspace_id, team_id=team.id)
        rotation = service.get_rotation(session, team=live)
        service.change_roster(
            session,
            team=live,
            rotation=rotation,
            change=planning.RosterChange("params", calendar="cn_workdays"),
            now=runtime.clock(),
        )
    set_local(clock, date(2026, 12, 28), 9)
    roster = sqlite_chat.text("/查看值班表", as_="admin")
    assert "缺少 2027 年的官方节假日数据" in roster
    assert "暂按每天值班" in roster
    assert "缺少 2027 年" in sqlite_chat.text("/值班日历", as_="admin")


def test_history_is_never_rewritten(sqlite_chat: ChatDriver, clock: FrozenClock) -> None:
    runtime = sqlite_chat.runtime
    team, _members = demo_team(runtime)

    def who(day: date, hour: int) -> list[str]:
        with runtime.factory() as session:
            live = team_service.get_team(session, workspace_id=team.workspace_id, team_id=team.id)
            return [
                m.handle
                for m in service.on_duty_members(
                    session, team=live, at=at_local(day, hour), rotation_kind="tech"
                )
            ]

    past = [who(date(2026, 6, 1) + timedelta(days=i), 12) for i in range(3)]
    set_local(clock, date(2026, 6, 4), 9)
    # Each command's reply is asserted: a refused one (CI, session 19) looked like a stale
    # on-duty cache in the checks below.
    replan = sqlite_chat.text("/重新排班 @wangwu", as_="admin")
    assert "已重新排班：「技术」轮值从 @王五 开始" in replan, replan
    added = sqlite_chat.text("/值班人员增加 @sunqi", as_="admin")
    assert "加入「技术」轮值" in added, added
    swapped = sqlite_chat.text("/值班交换 @zhangsan @lisi", as_="admin")
    assert "已交换" in swapped, swapped
    assert [who(date(2026, 6, 1) + timedelta(days=i), 12) for i in range(3)] == past
    assert who(date(2026, 6, 4), 8) == ["zhangsan"]  # this morning, before the re-plan
    assert who(date(2026, 6, 4), 10) == ["wangwu"]


def test_a_roster_edit_that_breaks_a_swap_says_so(sqlite_chat: ChatDriver) -> None:
    # 李四 (June 2) and 王五 (June 3) traded shifts; then 李四 leaves the rotation from June 2
    sqlite_chat.text("/值班换班 @lisi 2026-06-02 @wangwu 2026-06-03", as_="admin")
    text = sqlite_chat.text("/值班人员移除 @lisi 2026-06-02", as_="admin")
    assert "下列换班的当事人已不在原来的班次上，换班已自动取消" in text
    assert "@李四 2026-06-02 ↔ @王五 2026-06-03" in text
    # the swap has ended: nobody gets 李四's shift back, the new order stands
    roster = sqlite_chat.text("/查看值班表", as_="admin")
    assert "「技术」@李四" not in roster
    assert "06-02 周二\n「技术」@王五" in roster and "06-03 周三\n「技术」@张三" in roster


def test_a_day_off_that_takes_a_traded_shift_ends_the_swap(sqlite_chat: ChatDriver) -> None:
    sqlite_chat.text("/值班换班 @lisi 2026-06-02 @wangwu 2026-06-03", as_="admin")
    sqlite_chat.text("/值班日历 2026-06-03 休息", as_="admin")
    with sqlite_chat.runtime.factory() as session:
        [swap] = session.scalars(select(Swap)).all()
        assert swap.cancelled_at is not None
    roster = sqlite_chat.text("/查看值班表", as_="admin")
    assert "06-02 周二\n「技术」@李四" in roster


def test_first_add_starts_the_seed_rotations(chat_without_rotations: ChatDriver) -> None:
    chat = chat_without_rotations
    text = chat.text("/值班人员增加 @zhangsan @lisi", as_="admin")
    assert "已建立「技术」轮值：@张三、@李四" in text
    text = chat.text("/值班人员增加 @sunqi 产品", as_="admin")
    assert "已建立「产品」轮值：@孙七" in text
    roster = chat.text("/查看值班表", as_="zhangsan")
    assert "06-01 周一 ✅「今日值班」\n「技术」@张三　「产品」@孙七" in roster
    # later adds extend the rotation as usual
    assert "加入「技术」轮值" in chat.text("/值班人员增加 @wangwu", as_="admin")
    before = snapshot(chat.runtime)
    assert "找不到轮值「运维」" in chat.text("/值班人员增加 @wangwu 运维", as_="admin")
    assert snapshot(chat.runtime) == before


def test_switch_a_rotation_to_chinas_working_days(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    text = sqlite_chat.text("/值班日历 法定工作日 产品 2026-09-28", as_="admin")
    assert "「产品」轮值改为按中国法定工作日值班（含调休），2026-09-28 生效" in text
    assert "按中国法定工作日值班" in sqlite_chat.text("/值班日历", as_="lihua")
    set_local(clock, date(2026, 9, 30), 9)
    roster = sqlite_chat.text("/查看值班表 12", as_="admin")
    assert "10-01 周四\n「技术」@" in roster and "「产品」休息" in roster
    assert "10-10 周六" in roster  # a 调休 Saturday is a working day
    days = roster.split("\n\n")
    saturday = next(d for d in days if d.startswith("10-10"))
    assert "「产品」休息" not in saturday
    sunday = next(d for d in days if d.startswith("10-11"))
    assert "「产品」休息" in sunday


def test_cancel_a_cover(sqlite_chat: ChatDriver, clock: FrozenClock) -> None:
    sqlite_chat.text("/值班代班 @admin 2026-06-02 2026-06-03", as_="admin")
    before = snapshot(sqlite_chat.runtime)
    assert "没有可以取消的临时安排" in sqlite_chat.text("/取消代班 2026-06-05", as_="admin")
    assert snapshot(sqlite_chat.runtime) == before
    text = sqlite_chat.text("/取消代班 2026-06-03", as_="admin")
    assert "已取消「技术」2026-06-02 03:00 至 2026-06-04 03:00 的临时安排" in text
    roster = sqlite_chat.text("/查看值班表", as_="admin")
    assert "06-02 周二\n「技术」@李四" in roster and "06-03 周三\n「技术」@王五" in roster
