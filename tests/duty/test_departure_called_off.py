"""A departure called off takes back the roster change it planned, and only that one.

A tester (session 13) ran ``/停用成员 @李四 12月20日`` then ``/启用成员 @李四``: the rotation
still dropped 李四 from 12-20, which then refused other removals ("轮值就没有人了"). Demo: 技术
张三→李四→王五 daily, today Monday 2026-06-01 09:00 in Shanghai.
"""

from __future__ import annotations

from tests.support.chat import ChatDriver


def _day(roster: str, label: str) -> str:
    """The roster's block of one day ("06-05 周五")."""
    [block] = [b for b in roster.split("\n\n") if b.startswith(label)]
    return block


def test_calling_off_a_departure_puts_them_back_on_the_roster(chat: ChatDriver) -> None:
    # given 李四 is set to leave on Friday 06-05 and the roster plans without them from then
    chat.text("/停用成员 @lisi 2026-06-05", as_="admin")
    assert "李四" not in _day(chat.text("/查看值班表", as_="admin"), "06-05 周五")
    # and an admin removes 王五 by hand from Monday 06-08, after the departure
    assert "移出「技术」轮值" in chat.text("/值班人员移除 @wangwu 2026-06-08", as_="admin")
    # when the departure is called off
    reply = chat.text("/启用成员 @lisi", as_="admin")
    # then 李四 is back on Friday, and the hand removal of 王五 still holds from 06-08
    assert "撤回" in reply and "不会自动恢复" not in reply, reply
    roster = chat.text("/查看值班表 14", as_="admin")
    assert "「技术」@李四" in _day(roster, "06-05 周五")
    assert "「技术」@王五" in _day(roster, "06-03 周三")
    assert "王五" not in roster.split("06-08 周一")[1]
    # and removing 张三 no longer leaves the rotation empty: 李四 is in it
    assert "移出「技术」轮值" in chat.text("/值班人员移除 @zhangsan 2026-06-09", as_="admin")
    assert "「技术」@李四" in _day(chat.text("/查看值班表 14", as_="admin"), "06-10 周三")


def test_a_removal_by_hand_stays_when_a_departure_is_called_off(chat: ChatDriver) -> None:
    # given an admin took 李四 off duty by hand from 06-05, then set them to leave on 06-10
    chat.text("/值班人员移除 @lisi 2026-06-05", as_="admin")
    chat.text("/停用成员 @lisi 2026-06-10", as_="admin")
    # when the departure is called off
    chat.text("/启用成员 @lisi", as_="admin")
    # then the removal by hand is still there: 李四 is off the roster from 06-05
    roster = chat.text("/查看值班表 14", as_="admin")
    assert "「技术」@李四" in _day(roster, "06-02 周二")
    assert "李四" not in roster.split("06-05 周五")[1]


def test_a_departures_removal_is_not_withdrawn_on_its_own(chat: ChatDriver) -> None:
    """Today's tester: /撤销排班变更 withdrew the removal a departure planned while the person
    was still leaving, putting them back on duty after their leaving day, where every view
    leaves them out: an empty day. It is refused, pointing to /启用成员."""
    chat.text("/停用成员 @lisi 2026-06-05", as_="admin")
    before = chat.text("/查看值班表 14", as_="admin")
    reply = chat.text("/撤销排班变更 2026-06-05 技术", as_="admin")
    assert "停用时自动安排的移出" in reply and "/启用成员" in reply, reply
    assert chat.text("/查看值班表 14", as_="admin") == before
    # calling the departure off still withdraws it
    assert "撤回" in chat.text("/启用成员 @lisi", as_="admin")
    assert "「技术」@李四" in _day(chat.text("/查看值班表 14", as_="admin"), "06-05 周五")


def test_reactivating_at_once_does_not_ask_to_add_back_who_is_still_there(
    chat: ChatDriver,
) -> None:
    """Today's second tester: /停用成员 @张三 (now) then /启用成员 @张三 answered "如需值班，请重新
    把 TA 加入轮值", but the removal had not taken effect and was withdrawn: adding 张三 back
    was refused as "已经在轮值里了". The reply says what happened either way now."""
    chat.text("/停用成员 @zhangsan", as_="admin")
    reply = chat.text("/启用成员 @zhangsan", as_="admin")
    assert "请重新把 TA 加入轮值" not in reply and "一并撤回" in reply, reply
    assert "已经在「技术」轮值里了" in chat.text("/值班人员增加 @zhangsan", as_="admin")


def test_reactivating_after_the_removal_took_effect_does_not_claim_it_was_withdrawn(
    chat: ChatDriver,
) -> None:
    """A tester (session 15): /停用成员 @王五 (now, not on duty today) then /启用成员 @王五 said
    "停用还没生效的值班移出已一并撤回", but the removal had taken effect at once and 王五 stayed
    off the roster. Each clause of the reply is now what happened."""
    chat.text("/停用成员 @wangwu", as_="admin")
    reply = chat.text("/启用成员 @wangwu", as_="admin")
    assert reply.startswith("已重新启用 王五。"), reply
    assert "撤回" not in reply, reply
    assert "TA 已经移出「技术」轮值（停用当时已生效），不会自动恢复；" in reply, reply
    assert "王五" not in chat.text("/查看值班表 14", as_="admin")
    assert "加入「技术」轮值" in chat.text("/值班人员增加 @wangwu", as_="admin")
