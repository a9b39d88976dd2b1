"""What people arrange by hand may lie at most a year and a day ahead (``clock.PLAN_AHEAD``): a
tester moved a meeting to 9999-12-31 through REST (chat refused it, REST did not) and started a
360 round due 9999-12-31, which then stayed open and blocked every new round. Each is refused
with a friendly reply naming the latest date, changes nothing, and a date within the year still
goes through. The clock: Monday 2026-11-30 09:00 Beijing, so the latest day is 2027-12-01."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.careers.models import CareerPlan
from teamassist.meetings.models import MeetingOccurrence
from teamassist.reviews.models import ReviewCycle
from teamassist.team.models import Member
from teamassist.web.app import create_app
from tests.careers.support import without_demo_plans
from tests.okr.support import set_clock
from tests.one_on_ones.support import make_director, meetings, pair_id
from tests.reviews.support import set_up
from tests.support.chat import ChatDriver
from tests.support.web import sign_in


def _count(chat: ChatDriver, model: type) -> int:
    with chat.runtime.factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_meeting_moved_through_rest_stays_within_a_year(sqlite_chat: ChatDriver) -> None:
    set_up(sqlite_chat.runtime)
    with TestClient(create_app(sqlite_chat.runtime, start_background=False)) as api:
        sign_in(api)
        weekly = next(o for o in api.get("/api/v1/meetings").json() if o["kind"] == "weekly")
        # When the admin moves it to 9999-12-31, or to the day after the latest
        for start in ("9999-12-31T09:00:00", "2027-12-02T09:00:00"):
            refused = api.post(f"/api/v1/meetings/{weekly['id']}/move", json={"start": start})
            # Then it is refused, naming the latest day, and the meeting keeps its time
            assert refused.status_code == 422, refused.text
            assert refused.json()["error"] == "meetings.error.too_far"
            assert "2027-12-01" in refused.json()["message"]
        with sqlite_chat.runtime.factory() as session:
            kept = session.get(MeetingOccurrence, weekly["id"])
            assert kept is not None and kept.sequence == 0 and not kept.moved
        # the ends of the years a datetime holds: past / too far (the generic
        # core.error.out_of_range before: the UTC arithmetic overflowed)
        for start, error in (
            ("0001-01-01T00:00+01:00", "meetings.error.past"),
            ("9999-12-31T23:00-05:00", "meetings.error.too_far"),
        ):
            refused = api.post(f"/api/v1/meetings/{weekly['id']}/move", json={"start": start})
            assert (refused.status_code, refused.json()["error"]) == (422, error), refused.text
        # while a day within the year is moved
        moved = api.post(
            f"/api/v1/meetings/{weekly['id']}/move", json={"start": "2027-11-30T09:00:00"}
        )
        assert moved.status_code == 200, moved.text


def test_a_360_round_due_in_9999_is_refused_and_blocks_nothing(sqlite_chat: ChatDriver) -> None:
    chat = sqlite_chat
    set_up(chat.runtime)
    before = _count(chat, ReviewCycle)
    reply = chat.text("/发起360 @zhangsan 9999-12-31", as_="lihua")
    # a year is the same date next year for 360 (tester R4, session 17), not 366 days
    assert "截止日期 9999-12-31 太远了" in reply and "2027-11-30" in reply, reply
    assert _count(chat, ReviewCycle) == before
    # a round within the year is started afterwards (nothing was left open)
    assert "已发起" in chat.text("/发起360 @zhangsan 2027-11-30", as_="lihua")


def test_career_plans_due_beyond_a_year_are_refused(sqlite_chat: ChatDriver) -> None:
    chat = sqlite_chat
    set_up(chat.runtime)
    without_demo_plans(chat.runtime)
    reply = chat.text("/职业规划 发起 @张三 截止 9999-12-31 18:00", as_="lihua")
    assert "截止时间 9999-12-31 太远了" in reply and "2027-12-01" in reply, reply
    assert _count(chat, CareerPlan) == 0
    chat.text("/职业规划 发起 @张三 截止 2026-12-31 18:00", as_="lihua")
    assert _count(chat, CareerPlan) == 1


def test_a_1on1_moved_beyond_a_year_keeps_its_time(sqlite_chat: ChatDriver) -> None:
    chat = sqlite_chat
    set_up(chat.runtime)
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")  # plans the pair
    first = meetings(chat.runtime, pair_id(chat.runtime))[0]
    reply = chat.text(f"/改期一对一 {first.id} 2027-12-02 10:00", as_="lihua")
    assert "新的时间太远了" in reply and "2027-12-01" in reply, reply
    (kept,) = [m for m in meetings(chat.runtime, pair_id(chat.runtime)) if m.id == first.id]
    assert (kept.start_at, kept.sequence) == (first.start_at, first.sequence)


def test_the_latest_day_named_is_accepted_all_day(sqlite_chat: ChatDriver) -> None:
    """The refusal names 2027-12-01 as the latest day; it used to cut off at 09:00 that day
    (now + 366 days to the minute), so a move to 2027-12-01 18:00 was refused (breaker,
    session 11)."""
    chat = sqlite_chat
    set_up(chat.runtime)
    make_director(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")
    first = meetings(chat.runtime, pair_id(chat.runtime))[0]
    # When the 1on1 is moved to the evening of the latest day, it is moved
    reply = chat.text(f"/改期一对一 {first.id} 2027-12-01 18:00", as_="lihua")
    assert reply.startswith(f"已把 1on1 #{first.id} 改到 2027年12月1日（周三）18:00"), reply
    # and a meeting moved to that evening through chat too
    weekly = _first_weekly(chat)
    reply = chat.text(f"/改期 {weekly} 2027-12-01 18:00", as_="lihua")
    assert reply.startswith(f"已把会议 #{weekly}"), reply
    assert "2027年12月1日（周三）18:00" in reply, reply
    # while the next day is refused, naming the latest day
    assert chat.text(f"/改期 {weekly} 2027-12-02 08:00", as_="lihua") == (
        "新的时间太远了：会议最晚改到 2027-12-01（一年以内）。这次没有改动。"
    )


def test_a_career_plan_deadline_reads_chats_date_forms(sqlite_chat: ChatDriver) -> None:
    """``截止 2027年12月1日`` was not read as a deadline (careers had a parser of its own that
    knew only 2027-12-01); it reads every form chat knows now (breaker, session 11)."""
    chat = sqlite_chat
    set_up(chat.runtime)
    without_demo_plans(chat.runtime)
    # When the deadline is the latest day written the Chinese way, the plan is started
    reply = chat.text("/职业规划 发起 @张三 截止 2027年12月1日 请写  规划", as_="lihua")
    assert "截止 2027-12-01 18:00" in reply, reply
    with chat.runtime.factory() as session:
        plan = session.scalars(select(CareerPlan)).one()
        assert plan.request == "请写  规划"  # the request as typed
    # and the day after it is refused as too far, starting nothing
    reply = chat.text("/职业规划 发起 @李四 截止 2027年12月2日", as_="lihua")
    assert "截止时间 2027-12-02 太远了" in reply and "2027-12-01" in reply, reply
    reply = chat.text("/职业规划 发起 @李四 截止 9999-12-31", as_="lihua")
    assert "截止时间 9999-12-31 太远了" in reply, reply
    assert "不是有效的截止时间" in chat.text("/职业规划 发起 @李四 截止 2月30日", as_="lihua")
    assert _count(chat, CareerPlan) == 1


def _first_weekly(chat: ChatDriver) -> int:
    chat.text("/meetings", as_="lihua")
    with chat.runtime.factory() as session:
        return int(
            session.scalars(
                select(MeetingOccurrence.id)
                .where(MeetingOccurrence.key.like("weekly:%"))
                .order_by(MeetingOccurrence.start_at)
            ).first()
            or 0
        )


def test_a_deactivation_too_far_names_the_latest_day_like_the_others(
    sqlite_chat: ChatDriver,
) -> None:
    """/停用成员 @x <date> too far said "最多提前一年安排（2027-11-30 之前）": a cutoff to the
    minute (now + 366 days), its date in UTC. It follows plan_horizon's day rule now, worded as
    every other "too far" reply. The clock: Monday 2026-11-30 07:00 Beijing (still the 29th
    in UTC)."""
    chat = sqlite_chat
    set_up(chat.runtime)
    set_clock(chat.runtime, "2026-11-30 07:00")
    for day in ("2027-12-02", "9999-12-31"):
        reply = chat.text(f"/停用成员 @wangwu {day}", as_="admin")
        assert reply == f"停用日期 {day} 太远了：最晚 2027-12-01（一年以内）。这次没有改动。"
        assert _active(chat, "wangwu")
    # the latest day named is accepted
    reply = chat.text("/停用成员 @wangwu 2027-12-01", as_="admin")
    assert "从 2027-12-01 起" in reply, reply
    # and the first year a date holds is past: refused (it overflowed as UTC once)
    reply = chat.text("/停用成员 @zhaoliu 0001-01-01", as_="admin")
    assert reply.startswith("停用日期 0001-01-01 已经过去了"), reply
    assert _active(chat, "zhaoliu")


def _active(chat: ChatDriver, handle: str) -> bool:
    with chat.runtime.factory() as session:
        return bool(session.scalars(select(Member.active).where(Member.handle == handle)).one())
