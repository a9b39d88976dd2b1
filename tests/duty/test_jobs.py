"""The duty desk's daily jobs: move the clock, tick, look at what was queued."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist import events
from teamassist.chat.render import to_plain
from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.duty import planning, service
from teamassist.outbox.models import OutboxMessage
from teamassist.team import service as team_service
from teamassist.team.models import Team
from tests.conftest import make_runtime
from tests.duty.helpers import at_local, demo_team, set_local
from tests.support.chat import ChatDriver

TUESDAY = date(2026, 6, 2)


def duty_notices(chat: ChatDriver, kind: str = "") -> list[tuple[str, str]]:
    """(address, plain text) of queued duty notices whose key starts with ``duty.<kind>``."""
    with chat.runtime.factory() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [
            (row.address, to_plain(Reply.model_validate(row.payload)))
            for row in rows
            if row.idempotency_key.startswith(f"duty.{kind}")
        ]


def tick_at(chat: ChatDriver, clock: FrozenClock, day: date, hour: int, minute: int = 0) -> None:
    set_local(clock, day, hour, minute)
    chat.runtime.scheduler.tick()


def test_morning_notice_names_todays_duty_people_and_public_commands(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    tick_at(sqlite_chat, clock, TUESDAY, 8, 0)
    [(address, text)] = duty_notices(sqlite_chat, "morning_notice")
    assert address == "public"
    assert "早上好，今日值班" in text
    assert "「技术」@李四" in text and "「产品」@孙七" in text
    assert "/问题反馈" in text and "/查看值班表" in text


def test_sign_in_reminders_only_for_who_has_not_signed_in(
    chat: ChatDriver, clock: FrozenClock
) -> None:
    tick_at(chat, clock, TUESDAY, 10, 0)
    [(address, text)] = duty_notices(chat, "sign_in_reminder")
    assert address == "duty-room"
    assert "「@李四」你今天还未签到，请及时签到" in text
    assert "「@孙七」你今天还未签到，请及时签到" in text
    set_local(clock, TUESDAY, 10, 15)
    chat.text("/值班签到", as_="lisi")
    tick_at(chat, clock, TUESDAY, 10, 30)
    texts = [t for _, t in duty_notices(chat, "sign_in_reminder")]
    assert len(texts) == 2
    assert "李四" not in texts[1] and "孙七" in texts[1]
    # a second tick, and a restarted process on the same database, queue nothing again
    chat.runtime.scheduler.tick()
    restarted = make_runtime(chat.runtime.settings.database.url, clock)
    try:
        restarted.scheduler.tick()
    finally:
        restarted.close()
    assert len(duty_notices(chat, "sign_in_reminder")) == 2


def test_a_tick_after_downtime_catches_up_every_missed_reminder(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    tick_at(sqlite_chat, clock, TUESDAY, 9, 55)
    assert duty_notices(sqlite_chat, "sign_in_reminder") == []
    # the process was down from 09:55 to 11:05
    tick_at(sqlite_chat, clock, TUESDAY, 11, 5)
    assert len(duty_notices(sqlite_chat, "sign_in_reminder")) == 3


def test_sign_out_reminders_ask_for_the_duty_report(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    set_local(clock, TUESDAY, 10, 0)
    sqlite_chat.text("/值班签到", as_="lisi")
    sqlite_chat.text("/值班签到", as_="sunqi")
    set_local(clock, TUESDAY, 22, 0)
    sqlite_chat.text("/值班签出 一切正常", as_="sunqi")
    tick_at(sqlite_chat, clock, TUESDAY, 22, 30)
    [(_, text)] = duty_notices(sqlite_chat, "sign_out_reminder")
    assert text == "「@李四」你今天还未签出，请及时签出以及发出值班日报哦"


def test_evening_notice_announces_the_quiet_hours(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    tick_at(sqlite_chat, clock, TUESDAY, 23, 59)
    [(address, text)] = duty_notices(sqlite_chat, "evening_notice")
    assert address == "public"
    assert text == "你的夜晚太珍贵，我们不忍心占用。每晚12点开启全员禁言，次日早上8点解封。晚安！"


def test_notices_wait_for_the_end_of_the_quiet_window(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    team, _ = demo_team(sqlite_chat.runtime)
    _configure(sqlite_chat, team, {"duty.morning_notice": ["07:00"]})
    tick_at(sqlite_chat, clock, TUESDAY, 7, 0)
    with sqlite_chat.runtime.factory() as session:
        [row] = [
            r
            for r in session.scalars(select(OutboxMessage))
            if r.idempotency_key.startswith("duty.morning_notice")
        ]
        assert row.next_attempt_at == at_local(TUESDAY, 8, 0)


def test_each_team_sets_its_own_times(sqlite_chat: ChatDriver, clock: FrozenClock) -> None:
    team, _ = demo_team(sqlite_chat.runtime)
    _configure(sqlite_chat, team, {"duty.sign_in_reminder": ["09:30"]})
    tick_at(sqlite_chat, clock, TUESDAY, 9, 30)
    assert len(duty_notices(sqlite_chat, "sign_in_reminder")) == 1
    tick_at(sqlite_chat, clock, TUESDAY, 11, 0)
    assert len(duty_notices(sqlite_chat, "sign_in_reminder")) == 1


def test_new_duty_day_posts_the_handoff_digest(sqlite_chat: ChatDriver, clock: FrozenClock) -> None:
    def section(_session: Session, _query: events.HandoffDigest) -> str:
        return "**另一个值班台**：2 条待处理"

    sqlite_chat.runtime.events.subscribe(events.HandoffDigest, section)
    tick_at(sqlite_chat, clock, TUESDAY, 3, 0)
    [(address, text)] = duty_notices(sqlite_chat, "handoff")
    assert address == "duty-room"
    assert "值班交接" in text
    assert "「技术」@张三 → @李四" in text
    assert "「产品」@赵六 → @孙七" in text
    assert "另一个值班台：2 条待处理" in text


def test_personal_reminder_the_evening_before_a_shift(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    _, members = demo_team(sqlite_chat.runtime)
    tick_at(sqlite_chat, clock, date(2026, 6, 1), 20, 0)
    notices = duty_notices(sqlite_chat, "eve")
    addresses = sorted(a for a, _ in notices)
    assert addresses == sorted(f"member:{members[h].id}" for h in ("lisi", "sunqi"))
    assert any("明天（2026-06-02）轮到你在「技术」值班" in t for _, t in notices)


def test_admins_are_warned_about_a_year_without_holiday_data(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    team, members = demo_team(sqlite_chat.runtime)
    with transaction(sqlite_chat.runtime.factory) as session:
        live = session.get(Team, team.id)
        assert live is not None
        rotation = service.get_rotation(session, team=live)
        service.change_roster(
            session,
            team=live,
            rotation=rotation,
            change=planning.RosterChange("params", calendar="cn_workdays"),
            now=sqlite_chat.runtime.clock(),
        )
    tick_at(sqlite_chat, clock, date(2026, 10, 1), 9, 0)
    assert duty_notices(sqlite_chat, "calendar_unknown") == []
    tick_at(sqlite_chat, clock, date(2026, 11, 2), 9, 0)
    [(address, text)] = duty_notices(sqlite_chat, "calendar_unknown")
    assert address == f"member:{members['admin'].id}"
    assert "缺少 2027 年的官方节假日数据" in text
    tick_at(sqlite_chat, clock, date(2026, 11, 3), 9, 0)  # same week: not again
    assert len(duty_notices(sqlite_chat, "calendar_unknown")) == 1
    tick_at(sqlite_chat, clock, date(2026, 11, 9), 9, 0)  # next week: reminded
    assert len(duty_notices(sqlite_chat, "calendar_unknown")) == 2


def _configure(chat: ChatDriver, team: Team, schedule: dict[str, list[str]]) -> None:
    with transaction(chat.runtime.factory) as session:
        live = team_service.get_team(session, workspace_id=team.workspace_id, team_id=team.id)
        live.settings = {**(live.settings or {}), "schedule": schedule}
