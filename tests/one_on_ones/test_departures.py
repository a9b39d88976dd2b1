"""Someone who leaves has no more 1on1s (a tester's find, session 12: after /停用成员 @王五 his
schedule still listed five upcoming 1on1s, the director could set a new slot and raise topics,
and on Feishu the calendar events stayed confirmed). The demo: 李华 meets 张三 on 每月第1个周四
10:00; the clock is Monday 2026-06-01 09:00 Beijing, so June 4, July 2 and August 6 are planned."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from teamassist.database import transaction
from teamassist.events import OneOnOneMeetingChanged
from teamassist.one_on_ones import reminders
from teamassist.one_on_ones.models import OneOnOneMeeting
from teamassist.ports import Workdays
from teamassist.team.models import Member, Team
from tests.duty.helpers import at_local
from tests.one_on_ones.support import make_director, meetings, pair_id
from tests.support.chat import ChatDriver

GONE = "「张三」已经停用，请先重新启用。"


def _statuses(chat: ChatDriver) -> dict[str, str]:
    rows = meetings(chat.runtime, pair_id(chat.runtime))
    return {m.start_at.strftime("%m-%d"): m.status for m in rows}


def test_a_report_who_leaves_has_no_more_1on1s(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")  # plans the pair
    assert set(_statuses(chat).values()) == {"scheduled"}
    seen: list[int] = []
    chat.runtime.events.subscribe(OneOnOneMeetingChanged, lambda _s, e: seen.append(e.meeting_id))
    # When 张三 is set to leave on July 1
    reply = chat.text("/停用成员 @zhangsan 2026-07-01", as_="admin")
    assert "将于 2026-07-01 停用" in reply, reply
    # and the reply says which 1on1s went (session 26: counted, never listed)
    assert "已一并取消 TA 的 2 场 1on1：与李华 2026-07-02 10:00、与李华 2026-08-06 10:00。" in reply
    # then the 1on1s from then on are cancelled, June's stays, and each change is published
    # (the Feishu calendar follows OneOnOneMeetingChanged)
    assert _statuses(chat) == {"06-04": "scheduled", "07-02": "cancelled", "08-06": "cancelled"}
    assert len(seen) == 2
    # and until then June's still takes a topic (张三 is here until July 1)
    assert chat.text("/议题 @张三 聊聊交接", as_="lihua").startswith("已添加议题")
    # and a later re-plan (the pair's view) brings none of the later ones back
    before = _statuses(chat)
    chat.text("/一对一 @张三", as_="lihua")
    assert _statuses(chat) == before
    # once he has left, nothing more is arranged for the pair: no new slot, no new topic
    chat.text("/启用成员 @zhangsan", as_="admin")
    chat.text("/停用成员 @zhangsan", as_="admin")
    before = _statuses(chat)
    assert chat.text("/一对一 @张三 每周 周三 10:00", as_="lihua") == GONE
    assert chat.text("/议题 @张三 聊聊交接", as_="lihua") == GONE
    assert _statuses(chat) == before


def test_a_departure_heard_twice_changes_nothing_more(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")
    reply = chat.text("/停用成员 @zhangsan", as_="admin")
    assert "已一并取消 TA 的 3 场 1on1：与李华 2026-06-04 10:00、" in reply, reply
    assert set(_statuses(chat).values()) == {"cancelled"}
    with chat.runtime.factory() as session:
        sequences = sorted(session.scalars(select(OneOnOneMeeting.sequence)))
    chat.text("/一对一 @张三", as_="lihua")
    with chat.runtime.factory() as session:
        assert sorted(session.scalars(select(OneOnOneMeeting.sequence))) == sequences


def test_a_1on1_is_not_moved_past_the_day_someone_leaves(chat: ChatDriver) -> None:
    """A fresh tester (session 12) moved June's 1on1 to after the report's leaving day: it was
    accepted, through chat and REST alike (one service)."""
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")
    june = min(meetings(chat.runtime, pair_id(chat.runtime)), key=lambda m: m.start_at).id
    chat.text("/停用成员 @zhangsan 2026-07-01", as_="admin")
    before = _statuses(chat)
    assert chat.text(f"/改期一对一 {june} 2026-07-15", as_="lihua") == (
        "张三 将于 2026-07-01 停用，1on1 只能安排在这之前。这次没有改动。"
    )
    assert _statuses(chat) == before
    # while a move that stays before the leaving day is still made
    reply = chat.text(f"/改期一对一 {june} 2026-06-11", as_="lihua")
    assert reply.startswith(f"已把 1on1 #{june} 改到 6月11日"), reply


def test_a_1on1_moved_before_the_leaving_day_stays_and_reminds_the_person(
    chat: ChatDriver,
) -> None:
    """A tester (session 12) moved a 1on1 into the days before the report left: its reminder
    went to the duty room, 1on1 time and all. He is here until he leaves, so it is his."""
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")
    july = {
        m.start_at.strftime("%m-%d"): m.id for m in meetings(chat.runtime, pair_id(chat.runtime))
    }
    # given July's 1on1 moved by hand to Thursday 06-25, then 张三 set to leave on July 1
    chat.text(f"/改期一对一 {july['07-02']} 2026-06-25 10:00", as_="lihua")
    chat.text("/停用成员 @zhangsan 2026-07-01", as_="admin")
    assert _statuses(chat) == {"06-04": "scheduled", "06-25": "scheduled", "08-06": "cancelled"}
    # when the day-before reminders run on Wednesday 06-24
    with transaction(chat.runtime.factory) as session:
        team = session.scalars(select(Team).order_by(Team.id)).first()
        assert team is not None
        reminders.run(
            session,
            team=team,
            today=date(2026, 6, 24),
            now=at_local(date(2026, 6, 24), 16),
            workdays=chat.runtime.ports.get(Workdays),
        )
    # then 张三 gets his own reminder; nothing goes to the duty room
    rows = [m for m in chat.queued() if m.idempotency_key.startswith("one_on_ones.reminder:")]
    told = {int(m.idempotency_key.rsplit(":m", 1)[1]) for m in rows}
    assert told == {_id(chat, "zhangsan"), _id(chat, "lihua")}
    assert all(m.channel_id is None for m in rows)


def test_cancelling_says_where_open_topics_go(chat: ChatDriver) -> None:
    """A tester cancelled the last 1on1 before the report left and was told its topics carry
    over to the next one, which was cancelled already."""
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")
    june = min(meetings(chat.runtime, pair_id(chat.runtime)), key=lambda m: m.start_at).id
    chat.text("/停用成员 @zhangsan 2026-07-01", as_="admin")
    reply = chat.text(f"/取消一对一 {june}", as_="lihua")
    assert reply == (
        f"已取消 1on1 #{june}（原定 6月4日（周四）10:00）。"
        "目前没有已安排的下一次 1on1，未完成的议题会保留，等下次安排时再谈。"
    )


def test_reactivating_revives_a_moved_1on1_at_its_moved_time(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")
    ids = {
        m.start_at.strftime("%m-%d"): m.id for m in meetings(chat.runtime, pair_id(chat.runtime))
    }
    # given July's 1on1 moved by hand to 07-09, then 张三 deactivated: all cancelled
    chat.text(f"/改期一对一 {ids['07-02']} 2026-07-09 10:00", as_="lihua")
    chat.text("/停用成员 @zhangsan", as_="admin")
    assert set(_statuses(chat).values()) == {"cancelled"}
    # when he is reactivated
    chat.text("/启用成员 @zhangsan", as_="admin")
    # then every one still ahead is back, the moved one at its moved time
    assert _statuses(chat) == {"06-04": "scheduled", "07-09": "scheduled", "08-06": "scheduled"}
    moved = next(m for m in meetings(chat.runtime, pair_id(chat.runtime)) if m.id == ids["07-02"])
    assert moved.moved and moved.start_at.strftime("%m-%d %H:%M") == "07-09 02:00"


def _id(chat: ChatDriver, handle: str) -> int:
    with chat.runtime.factory() as session:
        found = session.scalar(select(Member.id).where(Member.handle == handle))
        assert found is not None
        return found
