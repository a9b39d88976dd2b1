"""Changes in the middle of a duty day (issue #10 C): sign-in state belongs to the person and the
day; a pending future change no longer blocks changes before it and can be withdrawn from chat.
Demo: 技术 张三→李四→王五, 产品 赵六→孙七→李华, today is Monday 2026-06-01, 09:00 in Shanghai."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.duty import service, signin
from teamassist.duty.models import RotationVersion
from teamassist.duty.rotation import CompiledRotation
from tests.duty.helpers import at_local, demo_team, set_local, snapshot
from tests.duty.test_jobs import duty_notices, tick_at
from tests.support.chat import ChatDriver

MONDAY = date(2026, 6, 1)


# -- sign-in state after a mid-day change ----------------------------------------------------------


def test_signed_in_person_can_still_sign_out_after_being_swapped_out(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    assert "签到成功" in sqlite_chat.text("/值班签到", as_="zhangsan")
    set_local(clock, MONDAY, 11, 0)
    reply = sqlite_chat.text("/值班交换 @张三 @李四", as_="admin")
    # the admin is told what the change did to today's sign-ins
    assert "@张三 今天已经签到，仍可签出并提交值班日报" in reply
    assert "@李四 接手了今天的值班，可以发送 /值班签到 签到" in reply
    # the newcomer signs in; 张三 signs out with the report although 李四 holds the rotation now
    assert "签到成功" in sqlite_chat.text("/值班签到", as_="lisi")
    set_local(clock, MONDAY, 18, 0)
    text = sqlite_chat.text("/值班签出 日报", as_="zhangsan")
    assert "签出成功" in text and "今天不是你值班" not in text
    team, members = demo_team(sqlite_chat.runtime)
    with sqlite_chat.runtime.factory() as session:
        rows = signin.sign_ins(session, team=team, first=MONDAY, last=MONDAY)
        by_member = {r.member_id: r for r in rows}
        assert by_member[members["zhangsan"].id].report == "日报"
        assert by_member[members["lisi"].id].signed_out_at is None


def test_a_replan_keeps_the_sign_in_and_reminds_the_swapped_out_person_to_sign_out(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    sqlite_chat.text("/值班签到", as_="zhangsan")
    reply = sqlite_chat.text("/重新排班 @王五", as_="admin")
    assert "@张三 今天已经签到" in reply and "@王五 接手了今天的值班" in reply
    # 张三 owes the duty report: the evening reminder still reaches him, and 王五 too
    tick_at(sqlite_chat, clock, MONDAY, 22, 30)
    [(_address, text)] = duty_notices(sqlite_chat, "sign_out_reminder")
    assert "「@张三」你今天还未签出" in text and "「@王五」你今天还未签出" in text


def test_someone_swapped_out_before_signing_in_can_no_longer_sign_in(
    sqlite_chat: ChatDriver,
) -> None:
    reply = sqlite_chat.text("/值班交换 @张三 @李四", as_="admin")
    assert "今天已经签到" not in reply  # nobody had signed in
    before = snapshot(sqlite_chat.runtime)
    assert "今天不是你值班" in sqlite_chat.text("/值班签到", as_="zhangsan")
    assert "今天不是你值班" in sqlite_chat.text("/值班签出 日报", as_="zhangsan")
    assert snapshot(sqlite_chat.runtime) == before


def test_a_cover_later_today_can_sign_in_early(sqlite_chat: ChatDriver, clock: FrozenClock) -> None:
    # 王五 is not on today's schedule; once he covers the rest of today he can sign in
    assert "今天不是你值班" in sqlite_chat.text("/值班签到", as_="wangwu")
    sqlite_chat.text("/值班代班 @王五 今天", as_="admin")
    assert "签到成功" in sqlite_chat.text("/值班签到", as_="wangwu")


# -- a pending future change -----------------------------------------------------------------------


def _versions(chat: ChatDriver) -> list[RotationVersion]:
    team, _ = demo_team(chat.runtime)
    with chat.runtime.factory() as session:
        tech = service.get_rotation(session, team=team, name="tech")
        return list(
            session.scalars(
                select(RotationVersion)
                .where(RotationVersion.rotation_id == tech.id)
                .order_by(RotationVersion.id)
            )
        )


def test_changes_before_a_pending_one_are_allowed_and_it_is_replayed_on_top(
    sqlite_chat: ChatDriver,
) -> None:
    team, members = demo_team(sqlite_chat.runtime)
    assert "2026-12-10" in sqlite_chat.text("/值班人员增加 @孙七 2026-12-10", as_="admin")
    # every other change before it is accepted now (it used to be refused)
    reply = sqlite_chat.text("/值班人员移除 @王五", as_="admin")
    assert "已把 @王五 移出「技术」轮值" in reply
    assert "2026-12-10 增加人员" in reply
    reply = sqlite_chat.text("/值班交换 @张三 @李四 明天", as_="admin")
    assert "已交换" in reply
    assert "已重新排班" in sqlite_chat.text("/重新排班 @李四", as_="admin")
    live = [v for v in _versions(sqlite_chat) if v.cancelled_at is None]
    zs, ls, sq = members["zhangsan"].id, members["lisi"].id, members["sunqi"].id
    # the pending add is still last, now on top of the new list (no 王五 coming back in December)
    assert live[-1].change == "add" and [int(m) for m in live[-1].member_ids] == [ls, zs, sq]
    assert service.version_day(team, service.version_spec(live[-1])) == date(2026, 12, 10)
    with sqlite_chat.runtime.factory() as session:
        spec = service.current_spec(session, team, service.get_rotation(session, team=team))
    december = CompiledRotation(spec).shifts(
        at_local(date(2026, 12, 10), 3), at_local(date(2026, 12, 16), 3)
    )
    assert members["wangwu"].id not in {m for s in december for m in s.member_ids}
    assert sq in {m for s in december for m in s.member_ids}


def test_a_change_the_pending_one_cannot_follow_is_refused_naming_it(
    sqlite_chat: ChatDriver,
) -> None:
    sqlite_chat.text("/值班人员增加 @孙七 2026-12-10", as_="admin")
    before = snapshot(sqlite_chat.runtime)
    reply = sqlite_chat.text("/值班人员增加 @孙七", as_="admin")
    # the pending add is named by its day (4f081e8: "already in the rotation" said before)
    assert "已经安排在 2026-12-10 加入「技术」轮值" in reply, reply
    assert "/撤销排班变更 2026-12-10" in reply
    assert snapshot(sqlite_chat.runtime) == before


def test_a_pending_change_is_withdrawn_from_chat(sqlite_chat: ChatDriver) -> None:
    assert "没有待生效的变更" in sqlite_chat.text("/撤销排班变更", as_="admin")
    sqlite_chat.text("/值班人员增加 @孙七 2026-12-10", as_="admin")
    sqlite_chat.text("/值班人员移除 @王五 2026-12-20", as_="admin")
    # two pending: the date says which
    reply = sqlite_chat.text("/撤销排班变更", as_="admin")
    assert "2026-12-10 增加人员、2026-12-20 移除人员" in reply
    assert "需要有权限的人" in sqlite_chat.text("/撤销排班变更 2026-12-20", as_="zhangsan")
    reply = sqlite_chat.text("/撤销排班变更 2026-12-20", as_="admin")
    assert reply == "已撤销「技术」轮值 2026-12-20 生效的变更（移除人员），按原排班值班。"
    assert sqlite_chat.text("/withdraw-change 2026-12-10", as_="admin").startswith("已撤销")
    assert all(v.cancelled_at is not None for v in _versions(sqlite_chat) if v.change != "create")


def test_someone_swapped_out_mid_day_is_still_on_todays_roster(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    # "on duty" (the seed's permission) means on today's roster: any piece of the day's schedule
    assert "需要有权限的人" in sqlite_chat.text("/当日反馈", as_="wangwu")
    set_local(clock, MONDAY, 11, 0)
    sqlite_chat.text("/值班交换 @张三 @李四", as_="admin")
    for handle in ("zhangsan", "lisi"):
        assert "需要有权限的人" not in sqlite_chat.text("/当日反馈", as_=handle)
    assert "需要有权限的人" in sqlite_chat.text("/当日反馈", as_="wangwu")
