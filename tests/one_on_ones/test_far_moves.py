"""A 1on1 moved far ahead, past the occurrences saved so far (70 days), on every backend.
The demo: 李华 meets 张三 on 每月第1个周四 10:00; the clock is Monday 2026-06-01 09:00
Beijing, so June's is Thursday 06-04 10:00 and the rule's September one 09-03 10:00 (not
saved yet: after 70 days)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.okr.support import set_clock
from tests.one_on_ones.support import make_director, meetings, pair_id
from tests.support.chat import ChatDriver


def _rows(chat: ChatDriver) -> dict[str, tuple[int, datetime, str]]:
    found = meetings(chat.runtime, pair_id(chat.runtime))
    return {m.key: (m.id, m.start_at.replace(tzinfo=UTC), m.status) for m in found}


def test_a_move_onto_the_pairs_own_later_slot_is_refused(chat: ChatDriver) -> None:
    """Tester s25 F-B1: moved onto a time its own rule has after the saved occurrences, it was
    taken; once that one was planned the pair had two 1on1s at 2027-02-17 15:00."""
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")
    june = _rows(chat)["2026-06"][0]
    assert "2026-09" not in _rows(chat)  # September's is the rule's, not saved yet
    # When 张三 moves June's onto September's own 10:00 (or into its 45 minutes)
    for when in ("2026-09-03 10:00", "2026-09-03 10:30"):
        refused = chat.text(f"/改期一对一 {june} {when}", as_="zhangsan")
        # Then it is refused, naming the time, and nothing changed
        assert refused == (
            "按这一对的时段，9月3日（周四）10:00 本来就有一次 1on1，不能改到同一时间；请换个时间。"
        ), refused
    assert _rows(chat)["2026-06"] == (june, datetime(2026, 6, 4, 2, tzinfo=UTC), "scheduled")
    # right after it is free
    moved = chat.text(f"/改期一对一 {june} 2026-09-03 10:45", as_="zhangsan")
    assert moved.startswith(f"已把 1on1 #{june} 改到 9月3日（周四）10:45。"), moved
    # and once September's is planned, the two stand one after the other, not at once
    set_clock(chat.runtime, "2026-07-01 09:00")
    chat.text("/一对一 @张三", as_="lihua")
    rows = _rows(chat)
    assert rows["2026-09"][1:] == (datetime(2026, 9, 3, 2, tzinfo=UTC), "scheduled")
    assert rows["2026-06"][1:] == (datetime(2026, 9, 3, 2, 45, tzinfo=UTC), "scheduled")


def test_a_1on1_moved_far_ahead_stays_once_its_own_day_is_past(chat: ChatDriver) -> None:
    """Tester s25 F-B2: a 1on1 moved far ahead was cancelled, without a word, by the first
    planning after its own (rule) day was a week old: only keys from today−7 were kept."""
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")
    june = _rows(chat)["2026-06"][0]
    chat.text(f"/改期一对一 {june} 2026-09-10 10:00", as_="zhangsan")
    # When the clock passes 06-04 by more than a week and the pair is listed (planned)
    set_clock(chat.runtime, "2026-06-20 09:00")
    shown = chat.text("/一对一 @张三", as_="lihua")
    # Then June's is still on 09-10, scheduled, and listed
    assert _rows(chat)["2026-06"] == (june, datetime(2026, 9, 10, 2, tzinfo=UTC), "scheduled")
    set_clock(chat.runtime, "2026-08-20 09:00")
    shown = chat.text("/一对一 @张三", as_="lihua")
    assert f"9月10日（周四）10:00 · 已改期 · #{june}" in shown, shown
    assert _rows(chat)["2026-06"][2] == "scheduled"


def test_a_move_past_the_pairs_next_1on1_is_warned_every_time(chat: ChatDriver) -> None:
    """Tester s25 F-B2's "also": /改期一对一 12-09 → 2027-04-07 said nothing; the meetings'
    /改期 warns a move past the series' next one (5821ec3), from the occurrence's own place
    (06d6d79), so every such move is told, not only the first."""
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")
    rows = _rows(chat)
    june, july, august = rows["2026-06"][0], rows["2026-07"][0], rows["2026-08"][0]
    warned = (
        f"注意：这一对的下一次 1on1 #{july} 在 7月2日（周四）10:00，#{june} 这次改到了它之后；"
        f"如果日期写错了，请再 /改期一对一 {june}，要跳过这一次请 /取消一对一 {june}。"
    )
    # When June's is moved past July's, then further still
    for when, said in (
        ("2026-07-09 10:00", "7月9日（周四）10:00"),
        ("2026-10-20", "10月20日（周二）10:00"),
    ):
        reply = chat.text(f"/改期一对一 {june} {when}", as_="zhangsan")
        # Then each move is made and warned, naming July's
        assert reply == f"已把 1on1 #{june} 改到 {said}。\n{warned}", reply
    # moved back before July's (and out of its week), nothing is said
    back = chat.text(f"/改期一对一 {june} 2026-06-23 10:00", as_="zhangsan")
    assert back == f"已把 1on1 #{june} 改到 6月23日（周二）10:00。", back
    # the last saved one moved past the rule's next (not saved yet) is warned too
    reply = chat.text(f"/改期一对一 {august} 2026-09-10 10:00", as_="zhangsan")
    assert reply.endswith(
        f"注意：这一对的下一次 1on1 在 9月3日（周四）10:00，#{august} 这次改到了它之后；"
        f"如果日期写错了，请再 /改期一对一 {august}，要跳过这一次请 /取消一对一 {august}。"
    ), reply
