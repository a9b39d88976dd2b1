"""One source of truth for "who is on duty on day D": every notice, view and feed reads the final
schedule of the duty day (issue #10 C). Demo: 技术 张三→李四→王五, 产品 赵六→孙七→李华, today is
Monday 2026-06-01, 09:00 in Shanghai; the hand-off is at 03:00."""

from __future__ import annotations

from datetime import date

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.duty import feeds, flows, ical, overrides, service
from teamassist.duty.rotation import SOURCE_OVERRIDE
from teamassist.team.models import Team
from tests.duty.helpers import at_local, demo_team
from tests.duty.test_jobs import duty_notices, tick_at
from tests.support.chat import ChatDriver

MONDAY, TUESDAY = date(2026, 6, 1), date(2026, 6, 2)


def _cover_across_handoff(chat: ChatDriver, handle: str = "wangwu") -> None:
    """王五 covers 技术 from 02:00 to 04:00 on Tuesday: across the 03:00 hand-off."""
    team, members = demo_team(chat.runtime)
    with transaction(chat.runtime.factory) as session:
        live = session.get(Team, team.id)
        assert live is not None
        overrides.add_override(
            session,
            team=live,
            rotation=service.get_rotation(session, team=live, name="tech"),
            start=at_local(TUESDAY, 2),
            end=at_local(TUESDAY, 4),
            member=members[handle],
            now=chat.runtime.clock(),
        )


def test_the_final_schedule_of_a_day_has_every_piece(sqlite_chat: ChatDriver) -> None:
    _cover_across_handoff(sqlite_chat)
    team, members = demo_team(sqlite_chat.runtime)
    with sqlite_chat.runtime.factory() as session:
        tech, _product = service.duty_day(session, team=team, day=TUESDAY)
    assert [(p.start, p.end, p.member_ids, p.source) for p in tech.pieces] == [
        (at_local(TUESDAY, 3), at_local(TUESDAY, 4), (members["wangwu"].id,), SOURCE_OVERRIDE),
        (at_local(TUESDAY, 4), at_local(date(2026, 6, 3), 3), (members["lisi"].id,), "rotation"),
    ]
    assert tech.main == (members["lisi"].id,)
    assert tech.people == (members["lisi"].id, members["wangwu"].id)


def test_eve_reminder_reaches_the_real_person_behind_a_cover_across_the_handoff(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    _cover_across_handoff(sqlite_chat)
    _, members = demo_team(sqlite_chat.runtime)
    tick_at(sqlite_chat, clock, MONDAY, 20, 0)
    notices = duty_notices(sqlite_chat, "eve")
    # 李四 holds Tuesday from 04:00; 王五 already holds Monday's last hour: no "tomorrow" note.
    assert sorted(a for a, _ in notices) == sorted(
        f"member:{members[h].id}" for h in ("lisi", "sunqi")
    )
    lisi = next(text for a, text in notices if a == f"member:{members['lisi'].id}")
    assert "明天（2026-06-02）轮到你在「技术」值班" in lisi and "04:00" in lisi


def test_handoff_digest_names_the_days_people_despite_a_cover_across_the_handoff(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    _cover_across_handoff(sqlite_chat)
    tick_at(sqlite_chat, clock, TUESDAY, 3, 0)
    [(_address, text)] = duty_notices(sqlite_chat, "handoff")
    assert "「技术」@张三 → @李四" in text
    assert "「产品」@赵六 → @孙七" in text


def test_morning_notice_shows_the_whole_day_of_each_rotation(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    _cover_across_handoff(sqlite_chat)
    tick_at(sqlite_chat, clock, TUESDAY, 8, 0)
    [(_address, text)] = duty_notices(sqlite_chat, "morning_notice")
    assert "「技术」@王五（代班） → @李四" in text


def test_same_day_edits_leave_one_piece_for_today_everywhere(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    team, members = demo_team(sqlite_chat.runtime)
    for command in ("/值班人员增加 @李华", "/值班人员移除 @李华", "/值班交换 @李四 @王五"):
        sqlite_chat.text(command, as_="admin")
    zhangsan, wangwu = members["zhangsan"].id, members["wangwu"].id
    with sqlite_chat.runtime.factory() as session:
        start, end = service.days_window(team, MONDAY, 2)
        [(_, tech), _product] = service.schedule(
            session, team=team, start=start, end=end, now=clock()
        )
        # the schedule (the API's and the editor's source): one 张三 piece, then 王五
        assert [(s.duty_date, s.member_ids) for s in tech] == [
            (MONDAY, (zhangsan,)),
            (TUESDAY, (wangwu,)),
        ]
        assert tech[0].end == at_local(TUESDAY, 3)  # from the demo's start (09:00) to 03:00
        # the month view's cells
        view = service.roster(session, team=team, first=MONDAY, days=2, now=clock())
        assert [len(row.cells[0][1]) for row in view.days] == [1, 1]
        # the iCal feed: one event for today, none of zero length
        text = feeds.render(
            session,
            team=team,
            now=sqlite_chat.runtime.clock(),
            rotation=service.get_rotation(session, team=team, name="tech"),
        )
    events = [e for e in ical.parse_calendar(text) if e.duty_date == MONDAY]
    assert [(e.member_ids, e.start, e.end) for e in events] == [
        ((zhangsan,), tech[0].start.replace(microsecond=0), at_local(TUESDAY, 3))
    ]
    assert all(e.end > e.start for e in ical.parse_calendar(text))
    assert text.count(b"BEGIN:VEVENT") == len(ical.parse_calendar(text))
    roster = sqlite_chat.text("/查看值班表 2", as_="zhangsan")
    assert "「技术」@张三　" in roster and "@张三 → @张三" not in roster


def test_a_second_notice_time_on_the_same_day_sends_again(
    sqlite_chat: ChatDriver, clock: FrozenClock
) -> None:
    team, _ = demo_team(sqlite_chat.runtime)
    with transaction(sqlite_chat.runtime.factory) as session:
        live = session.get(Team, team.id)
        assert live is not None
        live.settings = {
            **(live.settings or {}),
            "schedule": {
                "duty.morning_notice": ["08:00", "12:00"],
                "duty.evening_notice": ["21:00", "23:59"],
            },
        }
    tick_at(sqlite_chat, clock, TUESDAY, 8, 0)
    tick_at(sqlite_chat, clock, TUESDAY, 12, 0)
    assert len(duty_notices(sqlite_chat, "morning_notice")) == 2
    tick_at(sqlite_chat, clock, TUESDAY, 21, 0)
    tick_at(sqlite_chat, clock, TUESDAY, 23, 59)
    assert len(duty_notices(sqlite_chat, "evening_notice")) == 2
    # the same slot run again (a restart, a second runner) queues nothing new
    with transaction(sqlite_chat.runtime.factory) as session:
        live = session.get(Team, team.id)
        assert live is not None
        slot = at_local(TUESDAY, 23, 59)
        flows.evening_notice(session, team=live, slot_at=slot, now=slot)
    assert len(duty_notices(sqlite_chat, "evening_notice")) == 2
