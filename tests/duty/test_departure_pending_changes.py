"""A pending roster change about the leaver alone does not block their departure.

A tester (session 15): ``/停用成员 @王五`` (now) was refused by a pending ``/值班交换`` with the
reason "「王五」不在「技术」轮值里", true only after the removal the refusal prevented. A pending
swap of positions with the leaver, a re-plan from them or adding them alone, from the leaving
day on, is withdrawn with the departure and whoever made it is told; a change about others
stays. Demo: 技术 张三→李四→王五 daily, today Monday 2026-06-01 09:00 in Shanghai.
"""

from __future__ import annotations

from sqlalchemy import select

from teamassist.duty.models import RotationVersion
from tests.support.chat import ChatDriver


def _pending(chat: ChatDriver) -> list[tuple[str, str]]:
    with chat.runtime.factory() as session:
        rows = session.scalars(
            select(RotationVersion).where(
                RotationVersion.cancelled_at.is_(None),
                RotationVersion.effective_at > chat.runtime.clock(),
            )
        )
        return sorted((row.change, row.note or "") for row in rows)


def test_a_pending_swap_with_the_leaver_is_withdrawn_not_a_refusal(chat: ChatDriver) -> None:
    # given a pending swap of 张三 and 王五 from 06-10, and one of 张三 and 李四 from 06-12
    assert "已交换" in chat.text("/值班交换 @zhangsan @wangwu 2026-06-10", as_="admin")
    assert "已交换" in chat.text("/值班交换 @zhangsan @lisi 2026-06-12", as_="admin")
    # when 王五 is deactivated now
    reply = chat.text("/停用成员 @wangwu", as_="admin")
    # then it is done, 王五 is off the roster, and only the swap with 王五 went with it
    assert reply.startswith("已停用 王五"), reply
    assert "王五" not in chat.text("/查看值班表 14", as_="admin")
    changes = [change for change, _note in _pending(chat)]
    assert changes == ["swap"], _pending(chat)
    # and the admin who made the swap is told
    notices = chat.queued_texts()
    assert any("「技术」2026-06-10 生效的交换位置" in n and "已随之撤销" in n for n in notices)
