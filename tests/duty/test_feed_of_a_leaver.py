"""A leaver's personal calendar feed stops listing shifts from their leaving day.

Testers (session 15): the personal feeds (``/值班订阅``) were not checked for leavers: 张三,
deactivated while on duty, was off today's shift in ``/查看值班表`` and ``/今日值班`` but their
feed still listed it. The feed now reads the same final schedule as the views.

Decision on the token: it keeps answering (200) after the departure takes effect, with the
shifts before it and none after, so a subscribed calendar removes the future events; a 404
would leave the last copy, future shifts included, in the subscriber's calendar for good.
Demo: 技术 张三→李四→王五 daily, today Monday 2026-06-01 09:00 in Shanghai.
"""

from __future__ import annotations

from datetime import date

import icalendar
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.duty import feeds
from teamassist.team import people
from teamassist.team.models import Member
from teamassist.web.app import create_app
from tests.duty.helpers import demo_team, set_local
from tests.support.chat import ChatDriver


def _feed_token(chat: ChatDriver, handle: str) -> str:
    team, _members = demo_team(chat.runtime)
    with transaction(chat.runtime.factory) as session:
        member = session.scalars(select(Member).where(Member.handle == handle)).one()
        row = session.get(type(team), team.id)
        assert row is not None
        return feeds.create_feed(session, team=row, now=chat.runtime.clock(), member=member).token


def _days(chat: ChatDriver, token: str) -> list[str]:
    with TestClient(create_app(chat.runtime, start_background=False)) as anonymous:
        answer = anonymous.get(f"/ical/{token}.ics")
    assert answer.status_code == 200, answer.text
    events = icalendar.Calendar.from_ical(answer.content).walk("VEVENT")
    return sorted(str(e["X-TEAMASSIST-DUTY-DATE"]) for e in events)


def test_a_feed_drops_the_shift_its_person_left_like_the_views(chat: ChatDriver) -> None:
    token = _feed_token(chat, "zhangsan")
    assert "2026-06-01" in _days(chat, token)
    # when 张三 is deactivated now, while on today's shift
    chat.text("/停用成员 @zhangsan", as_="admin")
    assert "张三" not in chat.text("/查看值班表 1", as_="admin")
    # then the feed lists no shift from today on either
    assert [d for d in _days(chat, token) if d >= "2026-06-01"] == []


def test_a_planned_departure_ends_the_feed_at_the_leaving_day(
    chat: ChatDriver, clock: FrozenClock
) -> None:
    token = _feed_token(chat, "wangwu")
    assert {"2026-06-03", "2026-06-09"} <= set(_days(chat, token))
    chat.text("/值班代班 @wangwu 2026-06-08", as_="admin")
    chat.text("/停用成员 @wangwu 2026-06-06", as_="admin")
    assert max(_days(chat, token)) == "2026-06-03"
    # after it takes effect the URL still answers: the past only, so calendars drop the rest
    set_local(clock, date(2026, 6, 6), 0, 30)
    with transaction(chat.runtime.factory) as session:
        member = session.scalars(select(Member).where(Member.handle == "wangwu")).one()
        assert people.take_effect(session, member=member, now=clock())
    assert max(_days(chat, token)) == "2026-06-03"
