"""What a moved 1on1 says about its date: the year when it is not this (team-local) year, and
the "provisional" mark (no official holiday arrangement for that year) following the new date,
also once cancelled. The demo: 李华 meets 张三 on 每月第1个周四 10:00; the clock is Monday
2026-06-01 09:00 Beijing. 2026's arrangement is official; 2027's and 2100's are not."""

from __future__ import annotations

from tests.one_on_ones.support import make_director, meetings, pair_id
from tests.support.chat import ChatDriver

PROVISIONAL = "（当年节假日安排未公布，日期按周一至周五估算）"


def _line(listing: str, meeting_id: int) -> str:
    (line,) = [
        x for x in listing.splitlines() if x.endswith(f"#{meeting_id}") or f"#{meeting_id}（" in x
    ]
    return line


def _provisional(chat: ChatDriver, meeting_id: int) -> bool:
    (row,) = [m for m in meetings(chat.runtime, pair_id(chat.runtime)) if m.id == meeting_id]
    return row.provisional


def test_a_move_names_the_year_when_it_is_not_this_one(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")
    june = min(meetings(chat.runtime, pair_id(chat.runtime)), key=lambda m: m.start_at).id
    # When June's is moved to 2027-03-01, then the reply says the year
    reply = chat.text(f"/改期一对一 {june} 2027-03-01", as_="lihua")
    assert reply.startswith(f"已把 1on1 #{june} 改到 2027年3月1日（周一）10:00。\n注意：")
    # and so does the pair's list of occurrences
    assert "2027年3月1日（周一）10:00 · 已改期" in chat.text("/一对一 @张三", as_="lihua")
    # the last year a date can hold answers a friendly refusal (it answered an internal error,
    # then was accepted: now more than a year ahead is refused, clock.PLAN_AHEAD)
    reply = chat.text(f"/改期一对一 {june} 9999-12-31", as_="lihua")
    assert reply == "新的时间太远了：1on1 最晚改到 2027-06-02（一年以内）。这次没有改动。"
    # and moved within 2026 it reads as before, without the year
    reply = chat.text(f"/改期一对一 {june} 2026-06-10", as_="lihua")
    assert reply == f"已把 1on1 #{june} 改到 6月10日（周三）10:00。"
    # a cancellation says the year the same way
    chat.text(f"/改期一对一 {june} 2027-01-14", as_="lihua")
    reply = chat.text(f"/取消一对一 {june}", as_="lihua")
    assert reply.startswith(f"已取消 1on1 #{june}（原定 2027年1月14日（周四）10:00）")


def test_the_provisional_mark_follows_the_new_date(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")
    june = min(meetings(chat.runtime, pair_id(chat.runtime)), key=lambda m: m.start_at).id
    assert not _provisional(chat, june)
    # When June's is moved into 2027 (no official arrangement yet), it is marked provisional
    chat.text(f"/改期一对一 {june} 2027-01-14", as_="lihua")
    assert _provisional(chat, june)
    assert PROVISIONAL in _line(chat.text("/一对一 @张三", as_="lihua"), june)
    # When it is moved back into 2026, the mark goes
    chat.text(f"/改期一对一 {june} 2026-06-10", as_="lihua")
    assert not _provisional(chat, june)
    assert PROVISIONAL not in _line(chat.text("/一对一 @张三", as_="lihua"), june)
    # and once cancelled it still does not say provisional
    chat.text(f"/取消一对一 {june}", as_="lihua")
    line = _line(chat.text("/一对一 @张三", as_="lihua"), june)
    assert "已取消" in line and PROVISIONAL not in line
