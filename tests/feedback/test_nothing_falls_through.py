"""Nothing falls through: re-notify, escalate, the sign-in digest, the hand-off section."""

from __future__ import annotations

from datetime import timedelta

from teamassist import events as domain_events
from teamassist.chat.types import plain_text
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.team import service as team_service
from tests.feedback.support import (
    demo_team,
    events,
    given_nobody_on_duty,
    given_rotation,
    given_settings,
    items,
    member_id,
    outbox,
    outbox_keys,
)
from tests.support.chat import ChatDriver


def _later(clock: FrozenClock, **delta: float) -> None:
    clock.set(clock() + timedelta(**delta))


def test_unacknowledged_item_is_renotified_then_escalated(
    chat: ChatDriver, clock: FrozenClock
) -> None:
    # given 李华 on duty and a bug nobody acknowledges
    given_rotation(chat.runtime, "tech", ["lihua"])
    chat.text("/问题反馈 没人理我", as_="zhangsan")
    item = items(chat.runtime)[-1]
    lihua = f"member:{member_id(chat.runtime, 'lihua')}"
    # when 29 minutes pass, nothing happens
    _later(clock, minutes=29)
    chat.runtime.scheduler.tick()
    assert not any(k.startswith(f"feedback.renotify:{item.id}:") for k in outbox_keys(chat.runtime))
    # when 31 minutes have passed: the owner and the duty room are reminded, once
    _later(clock, minutes=2)
    chat.runtime.scheduler.tick()
    _later(clock, minutes=5)
    chat.runtime.scheduler.tick()
    renotices = [
        k for k in outbox_keys(chat.runtime) if k.startswith(f"feedback.renotify:{item.id}:")
    ]
    assert len(renotices) == 2  # owner + duty room
    assert any("已经 30 分钟没有确认了" in t for t in chat.queued_texts(lihua))
    assert any("「@李华」id=「" in t for t in chat.queued_texts("duty-room"))
    # when two hours have passed: the admins hear it, once
    _later(clock, minutes=90)
    chat.runtime.scheduler.tick()
    chat.runtime.scheduler.tick()
    admin_box = chat.queued_texts(f"member:{member_id(chat.runtime, 'admin')}")
    assert sum(f"id=「{item.id}」的反馈已经 120 分钟无人确认" in t for t in admin_box) == 1
    assert events(chat.runtime, item.id) == ["renotified", "escalated"]
    # and it stays quiet afterwards
    before = len(outbox(chat.runtime))
    _later(clock, hours=5)
    chat.runtime.scheduler.tick()
    assert len(outbox(chat.runtime)) == before


def test_acknowledged_items_are_not_chased(sqlite_chat: ChatDriver, clock: FrozenClock) -> None:
    sqlite_chat.text("/问题反馈 有人理我", as_="zhangsan")
    item = items(sqlite_chat.runtime)[-1]
    sqlite_chat.text(f"/确认反馈 {item.id}", as_="admin")
    _later(clock, hours=3)
    sqlite_chat.runtime.scheduler.tick()
    assert events(sqlite_chat.runtime, item.id) == ["acknowledged"]


def test_times_are_configurable_and_reassignment_restarts_the_clock(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    given_settings(sqlite_chat.runtime, renotify_minutes=10, escalate_minutes=20)
    sqlite_chat.text("/问题反馈 配置的时间", as_="zhangsan")
    item = items(sqlite_chat.runtime)[-1]
    _later(clock, minutes=11)
    sqlite_chat.runtime.scheduler.tick()
    assert events(sqlite_chat.runtime, item.id) == ["renotified"]
    sqlite_chat.text(f"/指派反馈 {item.id} @lihua", as_="admin")
    _later(clock, minutes=11)
    sqlite_chat.runtime.scheduler.tick()
    # a fresh reminder for the new owner, no escalation yet
    assert events(sqlite_chat.runtime, item.id) == ["renotified", "assigned", "renotified"]
    _later(clock, minutes=10)
    sqlite_chat.runtime.scheduler.tick()
    assert events(sqlite_chat.runtime, item.id)[-1] == "escalated"


def test_items_from_off_duty_hours_are_handed_over_at_the_next_sign_in(
    chat: ChatDriver, clock: FrozenClock
) -> None:
    # given two items that arrived while nobody was on duty
    given_nobody_on_duty(chat.runtime)
    chat.text("/问题反馈 夜里的问题", as_="zhangsan")
    chat.text("/产品建议 夜里的建议", as_="lisi")
    bug, suggestion = items(chat.runtime)[-2:]
    assert bug.digest_pending and suggestion.digest_pending
    # when the tech person on duty signs in
    given_rotation(chat.runtime, "tech", ["lihua"])
    _later(clock, minutes=5)
    with transaction(chat.runtime.factory) as session:
        team = demo_team(session)
        lihua = team_service.get_member_by_handle(
            session, workspace_id=team.workspace_id, handle="lihua"
        )
        assert lihua is not None
        domain_events.publish(
            session, domain_events.DutySignedIn(team=team, member=lihua, now=clock())
        )
    # then the bug is theirs, in a digest sent to them and to the duty room
    bug, suggestion = items(chat.runtime)[-2:]
    assert bug.owner_id == member_id(chat.runtime, "lihua") and not bug.digest_pending
    assert suggestion.digest_pending  # waits for the product person
    digest = chat.queued_texts(f"member:{member_id(chat.runtime, 'lihua')}")
    assert any("无人值班时收到的反馈（1 条）" in t and "夜里的问题" in t for t in digest)
    assert any("无人值班时收到的反馈" in t for t in chat.queued_texts("duty-room"))
    assert events(chat.runtime, bug.id) == ["assigned", "digested"]
    # and signing in again sends nothing more
    before = len(outbox(chat.runtime))
    with transaction(chat.runtime.factory) as session:
        team = demo_team(session)
        lihua = team_service.get_member_by_handle(
            session, workspace_id=team.workspace_id, handle="lihua"
        )
        assert lihua is not None
        domain_events.publish(
            session, domain_events.DutySignedIn(team=team, member=lihua, now=clock())
        )
    assert len(outbox(chat.runtime)) == before


def test_handoff_digest_lists_open_items(chat: ChatDriver) -> None:
    given_nobody_on_duty(chat.runtime)
    chat.text("/问题反馈 还没解决的问题", as_="zhangsan")
    done = items(chat.runtime)[-1].id
    chat.text("/问题反馈 已经解决的问题", as_="zhangsan")
    chat.text(f"/标注解决 {items(chat.runtime)[-1].id}", as_="admin")
    with transaction(chat.runtime.factory) as session:
        sections = domain_events.ask(
            session, domain_events.HandoffDigest(team=demo_team(session), now=chat.runtime.clock())
        )
    # the section is markdown for a reply, with the item texts marked as user text
    section = plain_text(next(s for s in sections if "未关闭的反馈" in s))
    assert f"id=「{done}」还没解决的问题" in section and "已经解决的问题" not in section
    assert "跟进人：王管理" in section


def test_sign_in_command_delivers_the_digest(sqlite_chat: ChatDriver, clock: FrozenClock) -> None:
    # given a bug that arrived while nobody was on duty
    given_nobody_on_duty(sqlite_chat.runtime)
    sqlite_chat.text("/问题反馈 没人值班时的问题", as_="zhangsan")
    item = items(sqlite_chat.runtime)[-1]
    # when 李华 is put on duty and signs in with the duty command
    given_rotation(sqlite_chat.runtime, "tech", ["lihua"])
    _later(clock, minutes=10)
    sqlite_chat.text("/值班签到", as_="lihua")
    # then the item is theirs and the digest is on its way
    assert items(sqlite_chat.runtime)[-1].owner_id == member_id(sqlite_chat.runtime, "lihua")
    assert events(sqlite_chat.runtime, item.id) == ["assigned", "digested"]
    assert any(
        "没人值班时的问题" in t
        for t in sqlite_chat.queued_texts(f"member:{member_id(sqlite_chat.runtime, 'lihua')}")
    )


def test_the_daily_hand_off_lists_open_feedback(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    sqlite_chat.text("/问题反馈 过夜的问题", as_="lisi")
    item = items(sqlite_chat.runtime)[-1]
    # when the next duty day starts (03:00 Asia/Shanghai) and the scheduler ticks
    clock.set(clock().replace(hour=19, minute=1))  # 2026-06-02 03:01 local
    sqlite_chat.runtime.scheduler.tick()
    # then the hand-off notice in the duty room carries the open item
    handoff = [t for t in sqlite_chat.queued_texts("duty-room") if "未关闭的反馈" in t]
    assert handoff and f"id=「{item.id}」过夜的问题" in handoff[-1]


def test_off_duty_items_wait_for_sign_in_and_escalate_in_working_time(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    # given nobody on duty and a bug reported on Saturday night (2026-06-06 22:00 local)
    given_nobody_on_duty(sqlite_chat.runtime)
    clock.set(clock().replace(day=6, hour=14))
    sqlite_chat.text("/问题反馈 周六夜里的问题", as_="zhangsan")
    item = items(sqlite_chat.runtime)[-1]
    # when the night and Sunday pass: no re-notice (nobody is on duty), no escalation
    for hours in (1, 5, 12, 24):
        clock.set(clock().replace(day=6, hour=14) + timedelta(hours=hours))
        sqlite_chat.runtime.scheduler.tick()
    assert events(sqlite_chat.runtime, item.id) == []
    # when nobody has signed in by Monday 11:00 (two working hours): the admins hear of it
    clock.set(clock().replace(day=8, hour=2, minute=59))  # Monday 10:59 local
    sqlite_chat.runtime.scheduler.tick()
    assert events(sqlite_chat.runtime, item.id) == []
    clock.set(clock().replace(day=8, hour=3, minute=1))
    sqlite_chat.runtime.scheduler.tick()
    assert events(sqlite_chat.runtime, item.id) == ["escalated"]


def test_digest_starts_the_follow_up_clock(chat: ChatDriver, clock: FrozenClock) -> None:
    given_nobody_on_duty(chat.runtime)
    chat.text("/问题反馈 等人签到", as_="zhangsan")
    item = items(chat.runtime)[-1]
    given_rotation(chat.runtime, "tech", ["lihua"])
    _later(clock, minutes=50)
    chat.text("/值班签到", as_="lihua")
    # 31 minutes after the sign-in (81 after the report) the new owner is reminded
    _later(clock, minutes=20)
    chat.runtime.scheduler.tick()
    assert events(chat.runtime, item.id) == ["assigned", "digested"]
    _later(clock, minutes=11)
    chat.runtime.scheduler.tick()
    assert events(chat.runtime, item.id) == ["assigned", "digested", "renotified"]
