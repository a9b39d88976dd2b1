"""Someone who leaves has no more 1on1s (a tester's find, session 12: after /停用成员 @王五 his
schedule still listed five upcoming 1on1s, the director could set a new slot and raise topics,
and on Feishu the calendar events stayed confirmed). The demo: 李华 meets 张三 on 每月第1个周四
10:00; the clock is Monday 2026-06-01 09:00 Beijing, so June 4, July 2 and August 6 are planned."""

from __future__ import annotations

from sqlalchemy import select

from teamassist.events import OneOnOneMeetingChanged
from teamassist.one_on_ones.models import OneOnOneMeeting
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
    # When 张三 leaves from July 1
    reply = chat.text("/停用成员 @zhangsan 2026-07-01", as_="admin")
    assert "已停用" in reply, reply
    # then the 1on1s from then on are cancelled, June's stays, and each change is published
    # (the Feishu calendar follows OneOnOneMeetingChanged)
    assert _statuses(chat) == {"06-04": "scheduled", "07-02": "cancelled", "08-06": "cancelled"}
    assert len(seen) == 2
    # and nothing more is arranged for the pair: no new slot, no new topic
    before = _statuses(chat)
    assert chat.text("/一对一 @张三 每周 周三 10:00", as_="lihua") == GONE
    assert chat.text("/议题 @张三 聊聊交接", as_="lihua") == GONE
    assert _statuses(chat) == before
    # and a later re-plan (the pair's view) brings none of them back
    chat.text("/一对一 @张三", as_="lihua")
    assert _statuses(chat) == before


def test_a_departure_heard_twice_changes_nothing_more(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")
    chat.text("/停用成员 @zhangsan", as_="admin")
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
    assert chat.text(f"/改期一对一 {june} 2026-07-15", as_="lihua") == GONE
    assert _statuses(chat) == before
    # while a move that stays before the leaving day is still made
    reply = chat.text(f"/改期一对一 {june} 2026-06-11", as_="lihua")
    assert reply.startswith(f"已把 1on1 #{june} 改到 6月11日"), reply
