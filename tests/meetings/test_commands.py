"""Moving and cancelling from chat, on every backend: people who had the notice hear of the
change once; bad input gets a clear reply and changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from teamassist.meetings import demo as meetings_demo
from teamassist.meetings.models import MeetingOccurrence
from teamassist.runtime import Runtime
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver

CORE = meetings_demo.CORE_ADDRESS


def _row(runtime: Runtime, key: str) -> MeetingOccurrence:
    with runtime.factory() as session:
        row = session.scalars(select(MeetingOccurrence).where(MeetingOccurrence.key == key)).one()
        session.expunge(row)
        return row


def _tick(chat: ChatDriver, when: str) -> None:
    set_clock(chat.runtime, when)
    chat.runtime.scheduler.tick()


def test_changes_after_the_notice_are_announced_once(chat: ChatDriver) -> None:
    _tick(chat, "2026-11-06 08:30")  # the notice of the week of 11-06 goes out
    weekly = _row(chat.runtime, "weekly:2026-11-06")
    assert weekly.notice_sent_at is not None
    before = len(chat.queued_texts(CORE))

    set_clock(chat.runtime, "2026-11-06 09:00")
    reply = chat.text(f"/reschedule {weekly.id} 11-11 客户来访", as_="admin")
    assert reply == (
        f"已把会议 #{weekly.id}「11月10日OKR周会」改到 11月11日（周三）08:30，已通知参会群。\n"
        "OKR周报2026/11/02-11/09的截止时间跟着会议改为 11月10日（周二）17:30。"
    )  # the deadline, Monday 17:30, moved a day with the meeting
    texts = chat.queued_texts(CORE)[before:]
    assert len(texts) == 1 and "原定11月10日（周二）08:30，改为11月11日（周三）08:30" in texts[0]
    assert "客户来访" in texts[0]

    reply = chat.text(f"/取消会议 {weekly.id}", as_="lihua")
    assert "已取消会议" in reply
    texts = chat.queued_texts(CORE)[before:]
    assert len(texts) == 2 and "取消了" in texts[1]

    for when in ("2026-11-09 17:30", "2026-11-10 08:30", "2026-11-11 08:30"):
        _tick(chat, when)  # a cancelled meeting sends nothing more
    row = _row(chat.runtime, "weekly:2026-11-06")
    assert (row.due_sent_at, row.start_sent_at, row.sequence) == (None, None, 2)
    assert not [t for t in chat.queued_texts(CORE)[before:] if "11月11日OKR周会" in t]


def test_a_change_before_the_notice_does_not_claim_the_groups_were_told(
    chat: ChatDriver,
) -> None:
    set_clock(chat.runtime, "2026-11-02 09:00")
    chat.text("/meetings", as_="admin")  # plans the weeks ahead
    weekly = _row(chat.runtime, "weekly:2026-11-06")
    before = len(chat.queued_texts(CORE))
    moved = chat.text(f"/改期 {weekly.id} 11-11", as_="admin")
    assert "会议通知还没有发出，到时会按新的时间发送。" in moved, moved
    cancelled = chat.text(f"/取消会议 {weekly.id}", as_="admin")
    assert cancelled.endswith("会议通知还没有发出，不会再发送。"), cancelled
    assert len(chat.queued_texts(CORE)) == before


def test_bad_input_changes_nothing(chat: ChatDriver) -> None:
    set_clock(chat.runtime, "2026-11-02 09:00")
    listing = chat.text("/meetings", as_="admin")
    weekly = _row(chat.runtime, "weekly:2026-11-06")
    assert f"#{weekly.id} 11月10日OKR周会" in listing
    assert "请写上新的日期" in chat.text(f"/改期 {weekly.id} 下周", as_="admin")
    assert "2026-02-30" in chat.text(f"/改期 {weekly.id} 2026-02-30", as_="admin")
    assert "过去" in chat.text(f"/改期 {weekly.id} 2026-11-01 09:00", as_="admin")
    # a clock time that does not exist is refused, not kept as the reason (breaker, session 6)
    assert "「25:00」不是有效的日期或时间" in chat.text(
        f"/改期 {weekly.id} 2026-11-12 25:00", as_="admin"
    )
    assert "找不到会议 #999999" in chat.text("/取消会议 999999", as_="admin")
    # the last year a date holds is too far, not an invalid date (breaker, session 11)
    assert chat.text(f"/改期 {weekly.id} 9999-12-31", as_="admin") == (
        "新的时间太远了：会议最晚改到 2027-11-03（一年以内）。这次没有改动。"
    )
    assert "过去" in chat.text(f"/改期 {weekly.id} 1999-12-31", as_="admin")
    # onto the next meeting's time (tester s23 F8: it was moved and announced)
    after = _row(chat.runtime, "weekly:2026-11-13")
    clash = chat.text(f"/改期 {weekly.id} 2026-11-17 08:30", as_="admin")
    assert clash.startswith(f"这个时间已经有会议 #{after.id}「{after.title}」"), clash
    row = _row(chat.runtime, "weekly:2026-11-06")
    assert (row.sequence, row.status, row.moved) == (0, "scheduled", False)


def test_a_move_onto_a_sunday_or_a_holiday_is_made_with_a_warning(chat: ChatDriver) -> None:
    # given the week of 11-06 planned, before its notice
    set_clock(chat.runtime, "2026-11-02 09:00")
    chat.text("/meetings", as_="admin")
    weekly = _row(chat.runtime, "weekly:2026-11-06")

    # when an admin moves it onto Sunday 11-08
    reply = chat.text(f"/改期 {weekly.id} 2026-11-08 10:00", as_="admin")

    # then it is moved, and the reply says the day is a weekend
    assert reply.startswith(f"已把会议 #{weekly.id}「11月10日OKR周会」改到 11月8日（周日）10:00")
    assert reply.endswith(
        "注意：11月8日（周日）10:00是周末，不是工作日；会议仍按这个时间召开，如需调整请再 /改期。"
    ), reply
    assert _row(chat.runtime, "weekly:2026-11-06").sequence == 1

    # a working day gets no warning
    plain = chat.text(f"/改期 {weekly.id} 2026-11-11 10:00", as_="admin")
    assert "注意" not in plain, plain

    # 元旦 2027 (a Friday, a provisional year) is a statutory holiday, and the guess is said
    reply = chat.text(f"/改期 {weekly.id} 2027-01-01 10:00", as_="admin")
    assert "注意：2027年1月1日（周五）10:00是法定节假日，不是工作日" in reply, reply
    assert "（2027年的节假日安排尚未公布，这是按法定假日估算的，调休未知。）" in reply, reply
    # and it is past the series' next meetings, which is said too (tester s23 F8)
    after = _row(chat.runtime, "weekly:2026-11-13")
    assert reply.endswith(
        f"注意：同一系列的下一次会议 #{after.id}「{after.title}」在 11月17日（周二）08:30，"
        f"#{weekly.id} 这次改到了它之后（或同一时间）；如果日期写错了，请再 /改期 {weekly.id}，"
        f"要跳过这一次请 /取消会议 {weekly.id}。"
    ), reply
    # moved far again, it is warned again: the warning is of the move from its own place in
    # the series, not from where the last move put it (tester s24 F9: silent the second time)
    again = chat.text(f"/改期 {weekly.id} 2027-01-05 10:00", as_="admin")
    assert again.endswith(
        f"注意：同一系列的下一次会议 #{after.id}「{after.title}」在 11月17日（周二）08:30，"
        f"#{weekly.id} 这次改到了它之后（或同一时间）；如果日期写错了，请再 /改期 {weekly.id}，"
        f"要跳过这一次请 /取消会议 {weekly.id}。"
    ), again
    # and /会议 lists it with its year, this year's without (a tester read 2027's date as this
    # year's, session 12)
    listing = chat.text("/会议", as_="admin")
    assert f"#{weekly.id} 11月10日OKR周会 · 2027年1月5日（周二）10:00" in listing, listing
    # and moved back before the series' next meeting, nothing is said of it
    back = chat.text(f"/改期 {weekly.id} 2026-11-12 10:00", as_="admin")
    assert back.startswith("已把会议") and "下一次会议" not in back, back


def test_a_move_to_the_night_is_warned_in_chat_too(chat: ChatDriver) -> None:
    """Tester s25 F-22: the same warning as REST's (one function, ``changes.reschedule``)."""
    set_clock(chat.runtime, "2026-11-02 09:00")
    chat.text("/meetings", as_="admin")
    weekly = _row(chat.runtime, "weekly:2026-11-06")
    moved = chat.text(f"/改期 {weekly.id} 2026-11-11 03:00", as_="admin")
    assert "已把会议" in moved or "改期" in moved, moved
    assert (
        "注意：新的时间是团队时间（Asia/Shanghai）11月11日（周三）03:00，在夜里；"
        f"会议仍按这个时间召开。如果时区或时间写错了，请再 /改期 {weekly.id}。"
    ) in moved, moved
    daytime = chat.text(f"/改期 {weekly.id} 2026-11-12 09:00", as_="admin")
    assert "在夜里" not in daytime, daytime


def test_a_far_move_takes_the_notice_and_the_report_deadline_along(chat: ChatDriver) -> None:
    """Tester s25 F-B21: 「12月15日OKR周会」 moved to 2027-04-20 still sent its December notice,
    「本周周会将于4月20日…请在12月14日…前完成周报」. The unsent steps follow a move of any size
    (same days later, same time of day, off a weekend by the series' policy; tester s26 B-8: the
    help said so, a move within the week kept them)."""
    set_clock(chat.runtime, "2026-11-02 09:00")
    chat.text("/meetings", as_="admin")
    weekly = _row(chat.runtime, "weekly:2026-11-06")  # notice Fri 11-06 08:30, due Mon 17:30
    near = _row(chat.runtime, "weekly:2026-11-13")
    # when the first is moved to Tuesday 2027-03-09 (119 days later), the second a day later
    assert "注意" in chat.text(f"/改期 {weekly.id} 2027-03-09 08:30", as_="admin")
    reply = chat.text(f"/改期 {near.id} 2026-11-18 08:30", as_="admin")
    moved, kept = _row(chat.runtime, weekly.key), _row(chat.runtime, near.key)
    # then its notice and deadline follow it: Friday 03-05 08:30, Monday 03-08 17:30 Beijing
    assert (moved.notice_at.isoformat(), moved.due_at.isoformat()) == (
        "2027-03-05T00:30:00+00:00",
        "2027-03-08T09:30:00+00:00",
    )
    # and the near move's a day later: Saturday 11-14 is off, so Monday 11-16 08:30, and the
    # deadline Tuesday 11-17 17:30 (was Fri 11-13 08:30, Mon 11-16 17:30)
    assert (kept.notice_at.isoformat(), kept.due_at.isoformat()) == (
        "2026-11-16T00:30:00+00:00",
        "2026-11-17T09:30:00+00:00",
    )
    assert "截止时间跟着会议改为 11月17日（周二）17:30" in reply, reply
    # and the original week's ticks send nothing of it
    before = len(chat.queued_texts(CORE))
    for when in ("2026-11-06 08:30", "2026-11-09 17:30", "2026-11-10 08:30"):
        _tick(chat, when)
    sent = chat.queued_texts(CORE)[before:]
    assert not [text for text in sent if "3月9日" in text], sent
    assert _row(chat.runtime, weekly.key).notice_sent_at is None


def test_moved_earlier_then_back_has_its_own_deadline_again(chat: ChatDriver) -> None:
    """Tester s26 B-7: moved to the Monday 10:00 before (the deadline came to 10:00 with it),
    then to Thursday, then back to its Tuesday: the report stayed due Monday 10:00 for good.
    The steps are worked out from the rule each time, so each move gives the same times as a
    first move there would, and moving back gives the original ones."""
    set_clock(chat.runtime, "2026-11-02 09:00")
    chat.text("/meetings", as_="admin")
    planned = _row(chat.runtime, "weekly:2026-11-13")  # Fri 08:30, Mon 17:30, Tue 11-17 08:30
    steps = {}
    for when in ("2026-11-16 10:00", "2026-11-19 10:00", "2026-11-17 08:30"):
        chat.text(f"/改期 {planned.id} {when}", as_="admin")
        row = _row(chat.runtime, planned.key)
        steps[when] = (row.notice_at.isoformat(), row.due_at.isoformat())
    assert steps == {
        # a day earlier: the deadline would be Sunday 17:30; Monday's 17:30 (the series'
        # holiday policy) is after the new start, so the working day before: Friday 17:30
        "2026-11-16 10:00": ("2026-11-12T00:30:00+00:00", "2026-11-13T09:30:00+00:00"),
        # two days later: Sunday's notice on to Monday, the deadline Wednesday 17:30
        "2026-11-19 10:00": ("2026-11-16T00:30:00+00:00", "2026-11-18T09:30:00+00:00"),
        # back: the original times
        "2026-11-17 08:30": (planned.notice_at.isoformat(), planned.due_at.isoformat()),
    }
    assert planned.due_at.isoformat() == "2026-11-16T09:30:00+00:00"


def test_a_deadline_a_day_off_would_push_past_the_meeting_goes_to_the_day_before(
    chat: ChatDriver,
) -> None:
    """Tester s29 F-3: a weekly meeting (Tue 08:30, report due Mon 17:30) moved to Monday 09:00
    had its deadline moved to Sunday, on to Monday 17:30 by the series' policy, then cut to the
    start: the report was due as the meeting began. It goes to the working day before, at the
    rule's 17:30; only when that has passed already is it the start, as before."""
    set_clock(chat.runtime, "2026-12-01 09:00")
    chat.text("/meetings", as_="admin")
    weekly = _row(chat.runtime, "weekly:2026-12-11")  # Tue 12-15 08:30, report due Mon 17:30
    reply = chat.text(f"/改期 {weekly.id} 2026-12-14 09:00", as_="admin")
    assert "的截止时间跟着会议改为 12月11日（周五）17:30。" in reply, reply
    moved = _row(chat.runtime, weekly.key)
    assert moved.due_at.isoformat() == "2026-12-11T09:30:00+00:00"
    assert moved.notice_at <= moved.due_at < moved.start_at
    # on Saturday that Friday has passed: moved again, the deadline is the start, as before
    set_clock(chat.runtime, "2026-12-12 09:00")
    chat.text(f"/改期 {weekly.id} 2026-12-14 08:00", as_="admin")
    again = _row(chat.runtime, weekly.key)
    assert again.due_at.isoformat() == again.start_at.isoformat() == "2026-12-14T00:00:00+00:00"
