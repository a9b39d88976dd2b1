"""Withdrawing a pending change replays the changes after it without it.

A version stores the whole member list, so withdrawing "add 孙七 from 06-03" while "remove 王五
from 06-08" was pending left 孙七 on tech duty from 06-08 (found while fixing the departures,
session 14). Demo: 技术 张三→李四→王五 daily, today Monday 2026-06-01 09:00 in Shanghai.
"""

from __future__ import annotations

from tests.duty.helpers import snapshot
from tests.support.chat import ChatDriver


def test_a_withdrawn_addition_is_gone_from_later_changes_too(chat: ChatDriver) -> None:
    chat.text("/值班人员增加 @sunqi 2026-06-03", as_="admin")
    chat.text("/值班人员移除 @wangwu 2026-06-08", as_="admin")
    reply = chat.text("/撤销排班变更 2026-06-03", as_="admin")
    assert reply.startswith("已撤销「技术」轮值 2026-06-03 生效的变更（增加人员）"), reply
    roster = chat.text("/查看值班表 14", as_="admin")
    tech = [line.split("　")[0] for line in roster.splitlines() if line.startswith("「技术」")]
    assert tech and all("孙七" not in cell for cell in tech), roster
    # 王五's removal from 06-08 still holds: 张三 and 李四 alternate from then
    assert all("王五" not in cell for cell in tech[7:]), roster


def test_a_withdrawal_the_later_changes_cannot_go_without_is_refused(chat: ChatDriver) -> None:
    # a later change needs the withdrawn one: removing 孙七 again needs them added first
    chat.text("/值班人员增加 @sunqi 2026-06-03", as_="admin")
    chat.text("/值班人员移除 @sunqi 2026-06-08", as_="admin")
    before = snapshot(chat.runtime)
    reply = chat.text("/撤销排班变更 2026-06-03", as_="admin")
    assert "2026-06-08 还有一项待生效的变更（移除人员）" in reply, reply
    assert "/撤销排班变更 2026-06-08" in reply
    assert snapshot(chat.runtime) == before
