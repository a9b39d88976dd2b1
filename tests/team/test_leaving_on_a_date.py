"""Someone leaving on date D is active until D and inactive from D, in every domain.

A tester set ``/停用成员 @x 2026-12-20``: the reply said x was inactive at once, yet x stayed on
duty until then, so ``/问题反馈`` routed feedback to x and said it had notified them, though x
could not confirm it. Now x keeps working until D; at D the sweep ``team.departures`` makes the
departure take effect, and the roster had planned x out from D already.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from teamassist.chat import notify
from teamassist.chat.render import to_plain
from teamassist.chat.types import Reply
from teamassist.database import transaction
from teamassist.feedback.models import FeedbackStatus
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team import people
from teamassist.team.models import Member
from tests.conftest import load_demo
from tests.duty.helpers import at_local
from tests.feedback.support import given_rotation, items, member_id
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver
from tests.team.support import demo

MONDAY = at_local(date(2026, 12, 14), 10)  # a week before the leaving day
LEAVING_DAY = date(2026, 12, 20)


def _member(runtime: Runtime, handle: str) -> Member:
    with runtime.factory() as session:
        found = session.get(Member, member_id(runtime, handle))
        assert found is not None
        session.expunge(found)
        return found


def _at(runtime: Runtime, moment: datetime) -> None:
    runtime.clock.set(moment)  # type: ignore[attr-defined]


def test_a_member_leaving_on_a_date_keeps_working_until_then(chat: ChatDriver) -> None:
    # given 王五 and 李华 take turns on tech duty from Monday 2026-12-14, 王五 first
    rt = chat.runtime
    _at(rt, MONDAY)
    given_rotation(rt, "tech", ["wangwu", "lihua"])
    # when an admin sets 王五 to leave on 2026-12-20
    reply = chat.text("/停用成员 @wangwu 2026-12-20", as_="admin")
    # then the reply says plainly that 王五 stays until then and leaves from that day
    assert reply.startswith("王五 将于 2026-12-20 停用。在此之前 TA 照常在职")
    assert "从 2026-12-20 起移出值班轮值" in reply
    assert "即刻停用" not in reply
    assert _member(rt, "wangwu").active is True
    assert "2026-12-20 停用" in chat.text("/成员列表", as_="admin")
    # and feedback today goes to 王五, who can confirm it
    receipt = chat.text("/问题反馈 登录页面打不开", as_="zhangsan")
    assert "我已经通知技术值班人员「@王五」" in receipt
    item = items(rt)[-1]
    assert item.owner_id == member_id(rt, "wangwu")
    chat.text(f"/确认反馈 {item.id}", as_="wangwu")
    assert items(rt)[-1].status != FeedbackStatus.OPEN
    # when the leaving day comes and the scheduler's sweep runs
    _at(rt, at_local(LEAVING_DAY, 10))
    rt.scheduler.tick()
    # then 王五 is inactive and off duty: feedback goes to 李华
    assert _member(rt, "wangwu").active is False
    assert chat.text("/我是谁", as_="wangwu").startswith("你的账号已停用")
    receipt = chat.text("/问题反馈 支付失败", as_="zhangsan")
    assert "「@李华」" in receipt and "王五" not in receipt
    assert items(rt)[-1].owner_id == member_id(rt, "lihua")


def test_calling_off_a_planned_departure(chat: ChatDriver) -> None:
    rt = chat.runtime
    _at(rt, MONDAY)
    chat.text("/停用成员 @wangwu 2026-12-20", as_="admin")
    # a second date is refused until the first is called off
    assert "已经安排了停用日期" in chat.text("/停用成员 @wangwu 2026-12-25", as_="admin")
    assert chat.text("/启用成员 @wangwu", as_="admin").startswith("已取消 王五 的停用")
    _at(rt, at_local(LEAVING_DAY, 10))
    rt.scheduler.tick()
    found = _member(rt, "wangwu")
    assert found.active is True and found.deactivated_at is None


def test_pending_notices_stay_until_the_departure_takes_effect(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    now = at_local(date(2026, 6, 1), 9)
    with transaction(rt.factory) as session:
        d = demo(session)
        notify.to_member(
            session, member=d["wangwu"], reply=Reply(body="请处理反馈 #7"), key="t:1", now=now
        )
        people.deactivate(session, member=d["wangwu"], now=now, at=at_local(date(2026, 6, 5), 0))
    with rt.factory() as session:
        [row] = session.scalars(select(OutboxMessage)).all()
        assert row.channel_id is None  # still theirs: they are here until 06-05
    with transaction(rt.factory) as session:
        d = demo(session)
        early = people.take_effect(session, member=d["wangwu"], now=at_local(date(2026, 6, 4), 23))
        assert early is False and d["wangwu"].active
        done = people.take_effect(session, member=d["wangwu"], now=at_local(date(2026, 6, 5), 0))
        again = people.take_effect(session, member=d["wangwu"], now=at_local(date(2026, 6, 5), 1))
        assert (done, again, d["wangwu"].active) == (True, False, False)
    with rt.factory() as session:
        [row] = session.scalars(select(OutboxMessage)).all()
        assert row.address == "duty-room"
        assert "请处理反馈 #7" in to_plain(Reply.model_validate(row.payload))


def test_someone_deactivated_now_is_off_todays_duty_and_gets_no_feedback(
    sqlite_runtime: Runtime,
) -> None:
    """A tester's find (session 13): ``/停用成员 @孙七`` while 孙七 was on product duty left
    them on ``/今日值班``, and ``/产品建议`` said it had notified them, though they could no
    longer act. Today's slot now falls to the team's default owner; tomorrow the rotation
    goes on without them."""
    load_demo(sqlite_runtime)
    chat = ChatDriver(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-12-02 10:00")
    assert "「产品」@孙七" in chat.text("/今日值班", as_="lisi")
    # When 孙七 is deactivated now
    chat.text("/停用成员 @sunqi", as_="admin")
    # then nobody is shown on product duty today, and new feedback goes to the default owner
    today = chat.text("/今日值班", as_="lisi")
    assert "孙七" not in today and "「产品」现在没有人值班" in today, today
    reply = chat.text("/产品建议 希望加导出", as_="lisi")
    assert "孙七" not in reply and "现在没有人值班" in reply, reply
    assert items(sqlite_runtime)[-1].owner_id != member_id(sqlite_runtime, "sunqi")
    # and the next day the rotation has someone else
    set_clock(sqlite_runtime, "2026-12-03 10:00")
    assert "孙七" not in chat.text("/今日值班", as_="lisi")
