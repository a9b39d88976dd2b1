"""The session 18 tester's departures on the demo as they ran it (today Thursday 2026-12-03
10:00 in Shanghai, the demo loaded that day: 技术 12-03 张三, 12-04 李四, 12-05 王五; 产品
12-03 赵六, 12-04 孙七), with the answers they should have had."""

from __future__ import annotations

import pytest

from teamassist.runtime import Runtime
from tests.conftest import load_demo
from tests.duty.test_departure_covers_swaps import _day, _notices_to, _roster
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver


@pytest.fixture
def tester_chat(runtime: Runtime) -> ChatDriver:
    """The demo workspace loaded on 2026-12-03 10:00, every backend."""
    set_clock(runtime, "2026-12-03 10:00")
    load_demo(runtime)
    return ChatDriver(runtime)


def test_f6_the_swap_goes_whole_and_everyone_hears_who_holds_each_day(
    tester_chat: ChatDriver,
) -> None:
    chat = tester_chat
    chat.text("/值班换班 @李四 2026-12-04 @王五 2026-12-05", as_="admin")
    reply = chat.text("/停用成员 @李四 2026-12-05", as_="admin")
    assert (
        "「技术」换班（李四 2026-12-04 ↔ 王五 2026-12-05），"
        "现在 2026-12-04 由 李四 值班，2026-12-05 由 王五 值班；当事人已收到私信。"
    ) in reply, reply
    roster = _roster(chat)
    assert "「技术」@李四　" in _day(roster, "12-04 周五"), roster
    assert "「技术」@王五　" in _day(roster, "12-05 周六"), roster
    said = "现在 2026-12-04 由 @李四 值班，2026-12-05 由 @王五 值班。"
    for handle in ("lisi", "wangwu", "admin"):
        [notice] = [n for n in _notices_to(chat, handle) if "换班（" in n and "安排了「" not in n]
        assert said in notice, (handle, notice)


def test_f14_deactivating_todays_product_person_says_today_is_empty(
    tester_chat: ChatDriver,
) -> None:
    chat = tester_chat
    reply = tester_chat.text("/停用成员 @赵六", as_="admin")
    said = (
        "⚠️「赵六」正在「产品」值班，停用后今天（2026-12-03）剩下的班无人值班，请安排人接替："
        "/值班代班 @孙七 2026-12-03 产品。明天起按轮值由其他人值班。"
    )
    assert said in reply, reply
    assert [n for n in _notices_to(chat, "admin") if "剩下的班" in n] == [said]


def test_f7_withdraw_without_a_rotation_finds_the_only_pending_change(
    tester_chat: ChatDriver,
) -> None:
    """Tester F7: ``/撤销排班变更`` (with or without the day) looked only at 技术 and answered
    「「技术」轮值没有待生效的变更。」 while 产品 had a swap pending for 12-21."""
    chat = tester_chat
    assert "所有轮值都没有待生效的变更" in chat.text("/撤销排班变更", as_="admin")
    chat.text("/值班交换 @赵六 @孙七 产品 2026-12-21", as_="admin")
    reply = chat.text("/撤销排班变更 2026-12-21", as_="admin")
    assert "「产品」" in reply and "没有待生效" not in reply, reply
    chat.text("/值班交换 @赵六 @孙七 产品 2026-12-21", as_="admin")
    assert "「产品」" in chat.text("/撤销排班变更", as_="admin")
    # Changes pending on both rotations: it asks which one, and withdraws nothing.
    chat.text("/值班交换 @赵六 @孙七 产品 2026-12-21", as_="admin")
    chat.text("/值班交换 @张三 @李四 技术 2026-12-22", as_="admin")
    asked = chat.text("/撤销排班变更", as_="admin")
    assert "请写上轮值名称" in asked and "「技术」" in asked and "「产品」" in asked, asked
    assert "「技术」" in chat.text("/撤销排班变更 技术", as_="admin")
    assert "「产品」" in chat.text("/撤销排班变更", as_="admin")
