"""1on1s in Feishu calendars, end to end against the fake Feishu Open API through lark-oapi
(every backend): each planned occurrence becomes one Calendar v4 event with the manager and the
report as attendees, a move patches its time, a cancellation deletes it, and a lost answer, a
retry or a re-plan never makes a second event. A QQ-only team keeps the built-in ``.ics``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from teamassist.adapters.feishu.workspace import PLATFORM
from teamassist.clock import FrozenClock
from teamassist.one_on_ones import flows, ical, messages
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team.models import Member
from tests.okr.support import set_clock
from tests.platforms.fakes.feishu import FakeFeishu
from tests.support.chat import ChatDriver
from tests.workspace.feishu_team import FeishuTeam, feishu_runtime


def _pair_of(runtime: Runtime, handle: str) -> tuple[OneOnOne, list[OneOnOneMeeting]]:
    """The demo pair 李华 ↔ ``handle`` and its scheduled occurrences, by start."""
    with runtime.factory() as session:
        member = session.scalars(select(Member).where(Member.handle == handle)).one()
        pair = session.scalars(select(OneOnOne).where(OneOnOne.report_id == member.id)).one()
        rows = list(
            session.scalars(
                select(OneOnOneMeeting)
                .where(OneOnOneMeeting.pair_id == pair.id, OneOnOneMeeting.status == "scheduled")
                .order_by(OneOnOneMeeting.start_at)
            )
        )
        session.expunge_all()
        return pair, rows


def _events_at(team: FeishuTeam, start: datetime) -> list[dict[str, object]]:
    stamp = str(int(start.timestamp()))
    return [e for e in team.fake.workspace.events.values() if e["start_time"]["timestamp"] == stamp]


def test_each_occurrence_is_one_event_with_both_people(team: FeishuTeam) -> None:
    # Given the demo pairs on Feishu; when 李华 looks at her 1on1s (which plans them)
    set_clock(team.runtime, "2026-11-30 09:00")
    assert "一对一" in team.chat.text("/一对一", as_="lihua")
    team.deliver()
    # Then each planned occurrence of 李华 ↔ 张三 is one event, both of them invited once
    pair, planned = _pair_of(team.runtime, "zhangsan")
    assert planned
    ws = team.fake.workspace
    for meeting in planned:
        [event] = _events_at(team, meeting.start_at)
        assert event["summary"] == "1on1：李华 ↔ 张三"
        assert event["end_time"]["timestamp"] == str(int(meeting.end_at.timestamp()))  # type: ignore[index]
        assert sorted(a["user_id"] for a in event["attendees"]) == ["ou_lihua", "ou_zhang"]  # type: ignore[attr-defined]
        assert event["vchat"] == {"vc_type": "third_party", "meeting_url": pair.video_url}
        assert event["location"] == {"name": pair.place}
        adds = ws.of("POST", f"/events/{event['event_id']}/attendees")
        assert len([c for c in adds if c.path.endswith("/attendees")]) == 1
    assert all(op.status == "sent" for op in team.ops())
    # When the pairs are planned again (another look, the daily job), nothing new is queued
    queued = len(team.ops())
    team.chat.text("/一对一", as_="lihua")
    set_clock(team.runtime, "2026-11-30 16:00")
    team.runtime.scheduler.tick()  # the reminder job's calendar catch-up
    team.deliver()
    assert len(team.ops()) == queued
    assert len(_events_at(team, planned[0].start_at)) == 1


def test_a_move_patches_the_event_and_a_cancel_deletes_it(team: FeishuTeam) -> None:
    set_clock(team.runtime, "2026-11-30 09:00")
    team.chat.text("/一对一", as_="zhangsan")
    team.deliver()
    _, planned = _pair_of(team.runtime, "zhangsan")
    first = planned[0]
    [event] = _events_at(team, first.start_at)
    event_id = str(event["event_id"])
    events = _pair_events(team, "1on1：李华 ↔ 张三")
    # When 张三 moves it to 2026-12-09 14:00 (Beijing)
    reply = team.chat.text(f"/改期一对一 {first.id} 2026-12-09 14:00", as_="zhangsan")
    assert "12月9日" in reply, reply
    team.deliver()
    # Then the same event is patched to the new time (06:00 UTC), nobody invited twice
    [patch] = team.fake.workspace.of("PATCH", f"/events/{event_id}")
    assert patch.body["start_time"]["timestamp"] == str(_utc(2026, 12, 9, 6))
    assert patch.body["end_time"]["timestamp"] == str(_utc(2026, 12, 9, 6) + 45 * 60)
    # (the move's busy check plans 李华's other pair, whose own events then appear: 984e48e)
    assert _pair_events(team, "1on1：李华 ↔ 张三") == events
    adds = team.fake.workspace.of("POST", f"/events/{event_id}/attendees")
    assert len([c for c in adds if c.path.endswith("/attendees")]) == 1
    # When 李华 cancels it, twice (the second is refused: already cancelled)
    team.chat.text(f"/取消一对一 {first.id} 出差", as_="lihua")
    team.chat.text(f"/取消一对一 {first.id}", as_="lihua")
    team.deliver()
    team.deliver()
    # Then the event is deleted once, and the pair's other events are untouched
    assert len(team.fake.workspace.of("DELETE", f"/events/{event_id}")) == 1
    assert team.fake.workspace.events[event_id]["status"] == "cancelled"
    others = [e for k, e in team.fake.workspace.events.items() if k != event_id]
    assert others and all(e.get("status") != "cancelled" for e in others)


def _pair_events(team: FeishuTeam, summary: str) -> int:
    """How many events the fake holds with ``summary`` (one pair's 1on1s)."""
    return sum(e.get("summary") == summary for e in team.fake.workspace.events.values())


def _utc(year: int, month: int, day: int, hour: int) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp())


def test_lost_answers_and_retries_make_no_second_event(team: FeishuTeam) -> None:
    ws = team.fake.workspace
    # Given Feishu makes the first event but its answer is lost, then loses an attendee answer
    ws.fail("/events", 500, {"code": 1000004, "msg": "internal error"}, after=True)
    ws.fail("/attendees", 500, {"code": 1000004, "msg": "internal error"}, after=True)
    set_clock(team.runtime, "2026-11-30 09:00")
    team.chat.text("/一对一", as_="lisi")
    team.deliver()
    for _ in range(3):  # later passes retry what failed
        team.clock.set(team.clock() + timedelta(minutes=5))
        team.deliver()
    # Then one event per occurrence, each person on it once, every operation done
    _, planned = _pair_of(team.runtime, "lisi")
    for meeting in planned:
        [event] = _events_at(team, meeting.start_at)
        invited = [a["user_id"] for a in event["attendees"]]  # type: ignore[attr-defined]
        assert sorted(invited) == ["ou_lihua", "ou_lisi"]
    assert len(ws.events) == len({e["start_time"]["timestamp"] for e in ws.events.values()})
    assert all(op.status == "sent" for op in team.ops()), [
        (op.status, op.last_error) for op in team.ops()
    ]


def test_a_qq_team_keeps_the_ics_invitation(
    fake: FakeFeishu, db_url: str, clock: FrozenClock
) -> None:
    fake.reset()
    runtime = feishu_runtime(fake, db_url, clock, tenant="qq", open_ids={})
    try:
        chat = ChatDriver(runtime)
        set_clock(runtime, "2026-11-30 09:00")
        chat.text("/一对一", as_="zhangsan")
        _, planned = _pair_of(runtime, "zhangsan")
        chat.text(f"/改期一对一 {planned[0].id} 2026-12-09 14:00", as_="zhangsan")
        runtime.deliver()
        # Then nothing went to Feishu, and the invitation itself carries the move
        with runtime.factory() as session:
            queued = session.scalar(select(func.count()).where(OutboxMessage.platform == PLATFORM))
            meeting = session.get(OneOnOneMeeting, planned[0].id)
            assert meeting is not None
            pair = session.get(OneOnOne, meeting.pair_id)
            assert pair is not None
            names = flows.names(session, [pair])
            text = ical.invitation(
                pair, meeting, title=messages.title(pair, names), names=names, now=clock()
            ).decode()
        assert queued == 0 and not fake.workspace.calls
        assert "DTSTART:20261209T060000Z" in text and "SEQUENCE:1" in text
    finally:
        runtime.close()
