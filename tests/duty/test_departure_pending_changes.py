"""A pending roster change about the leaver alone does not block their departure.

A tester (session 15): ``/停用成员 @王五`` (now) was refused by a pending ``/值班交换`` with the
reason "「王五」不在「技术」轮值里", true only after the removal the refusal prevented. A pending
swap of positions with the leaver, a re-plan from them or adding them alone, from the leaving
day on, is withdrawn with the departure and whoever made it is told; a change about others
stays. Demo: 技术 张三→李四→王五 daily, today Monday 2026-06-01 09:00 in Shanghai.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from teamassist.duty import service
from teamassist.duty.models import Rotation, RotationVersion
from teamassist.duty.rotation import CompiledRotation
from teamassist.team.models import Member, Team
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


def test_a_pending_add_of_several_goes_on_without_the_leaver(chat: ChatDriver) -> None:
    """Session 16 tester: a pending ``/值班人员增加`` of 孙七 and 赵六 to 技术 from 06-10 was
    replayed after 孙七's departure on 06-06, which put 孙七 back into 技术 from 06-10. The
    others join as planned; the leaver does not, and whoever made the add is told."""
    with chat.runtime.factory() as session:
        ids = {m.handle: m.id for m in session.scalars(select(Member))}
    added = chat.text("/值班人员增加 @sunqi @zhaoliu 技术 2026-06-10", as_="admin")
    assert "2026-06-10" in added, added
    reply = chat.text("/停用成员 @sunqi 2026-06-06", as_="admin")
    assert "将于 2026-06-06 停用" in reply, reply
    # then from 06-10 技术 has 赵六 and not 孙七
    with chat.runtime.factory() as session:
        rotation = session.scalars(select(Rotation).where(Rotation.name == "技术")).one()
        team = session.get(Team, rotation.team_id)
        assert team is not None
        spec = service.current_spec(session, team, rotation)
    at = datetime(2026, 6, 12, 12, tzinfo=UTC)
    version = CompiledRotation(spec).version_at(at)
    assert version is not None
    assert ids["zhaoliu"] in version.member_ids, version
    assert ids["sunqi"] not in version.member_ids, version
    # and the admin who made the add hears 孙七 was left out of it
    told = [text for text in chat.queued_texts() if "已去掉 TA" in text]
    assert len(told) == 1 and "赵六" in told[0] and "2026-06-10" in told[0], told
