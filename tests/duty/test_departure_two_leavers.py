"""Two leavers in one pending add of several: both are left out, the others join.

Session 16 had a pending add go on without the one who leaves. A tester (session 17) then set
a second person of the same add to leave: ``/值班人员增加 @孙七 @赵六 @李华 技术 2026-12-10``,
``/停用成员 @赵六 2026-12-20`` (after the add's day), ``/停用成员 @孙七 2026-12-06`` was refused
("「技术」轮值在 2026-12-20 还有一项待生效的变更（离职移出）…「赵六」不在「技术」轮值里"):
the add was withdrawn before it was written again, and 赵六's removal, replayed in between,
had nobody to remove. Demo: 技术 张三→李四→王五 daily, today Thursday 2026-12-03 in China.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from teamassist.clock import FrozenClock
from teamassist.duty import service
from teamassist.duty.rotation import CompiledRotation
from tests.duty.helpers import at_local, demo_team
from tests.support.chat import ChatDriver

ADD = "/值班人员增加 @孙七 @赵六 @李华 技术 2026-12-10"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(at_local(date(2026, 12, 3), 9))


def _tech_on(chat: ChatDriver, day: date) -> set[str]:
    """The handles in 技术's member list on ``day`` (noon UTC)."""
    team, members = demo_team(chat.runtime)
    handles = {m.id: handle for handle, m in members.items()}
    with chat.runtime.factory() as session:
        rotation = service.get_rotation(session, team=team, name="tech")
        spec = service.current_spec(session, team, rotation)
    version = CompiledRotation(spec).version_at(
        datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    )
    assert version is not None
    return {handles[i] for i in version.member_ids}


def test_the_second_leaver_leaving_after_the_add_is_not_a_refusal(chat: ChatDriver) -> None:
    assert "2026-12-10 生效" in chat.text(ADD, as_="admin")
    assert "将于 2026-12-20 停用" in chat.text("/停用成员 @赵六 2026-12-20", as_="admin")
    # when the second person of the add is set to leave before its day
    reply = chat.text("/停用成员 @孙七 2026-12-06", as_="admin")
    # then it is done: 孙七 never joins, 赵六 and 李华 join on 12-10 and 赵六 leaves on 12-20
    assert "将于 2026-12-06 停用" in reply, reply
    base = {"zhangsan", "lisi", "wangwu"}
    assert _tech_on(chat, date(2026, 12, 12)) == base | {"zhaoliu", "lihua"}
    assert _tech_on(chat, date(2026, 12, 21)) == base | {"lihua"}
    # and the admin who made the add hears 孙七 was left out of it
    told = [text for text in chat.queued_texts() if "已去掉 TA" in text]
    assert len(told) == 1 and "「孙七」" in told[0] and "@赵六、@李华 照常加入" in told[0], told


def test_two_leavers_before_the_add_are_both_left_out(chat: ChatDriver) -> None:
    chat.text(ADD, as_="admin")
    chat.text("/停用成员 @孙七 2026-12-06", as_="admin")
    chat.text("/停用成员 @赵六 2026-12-06", as_="admin")
    assert _tech_on(chat, date(2026, 12, 12)) == {"zhangsan", "lisi", "wangwu", "lihua"}
    told = [text for text in chat.queued_texts() if "已去掉 TA" in text]
    assert len(told) == 2 and told[1].endswith("@李华 照常加入。"), told
