"""A calendar feed made by someone who has left answers 410, not the schedule; it works again
when they return.

A tester (session 17): a rotation feed (iCal subscription link) 孙七 made of 「产品」 kept
serving the whole rotation after 孙七 left. From the leaving day its URL answers 410 with a
Chinese body and no calendar; ``/启用成员`` makes it work again (nothing is revoked). 孙七's own
person feed keeps the session 15 rule: it answers, with no shifts from the leaving day.
Demo: 产品 赵六→孙七→李华 daily, today Thursday 2026-12-03 in China.
"""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.duty import feeds, service
from teamassist.team import people
from teamassist.team.models import Member, Team
from teamassist.web.app import create_app
from tests.duty.helpers import at_local, demo_team, set_local
from tests.support.chat import ChatDriver


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(at_local(date(2026, 12, 3), 9))


def _feed(chat: ChatDriver, *, mine: bool = False) -> str:
    """A feed 孙七 makes: of 「产品」, or (``mine``) of themselves."""
    team, _members = demo_team(chat.runtime)
    with transaction(chat.runtime.factory) as session:
        sunqi = session.scalars(select(Member).where(Member.handle == "sunqi")).one()
        row = session.get(Team, team.id)
        assert row is not None
        rotation = None if mine else service.get_rotation(session, team=row, name="产品")
        return feeds.create_feed(
            session,
            team=row,
            now=chat.runtime.clock(),
            rotation=rotation,
            member=sunqi if mine else None,
            by=sunqi,
        ).token


def _get(chat: ChatDriver, token: str) -> tuple[int, str]:
    with TestClient(create_app(chat.runtime, start_background=False)) as anonymous:
        answer = anonymous.get(f"/ical/{token}.ics")
    return answer.status_code, answer.text


def test_a_rotation_feed_of_a_leaver_is_gone_from_the_leaving_day(
    chat: ChatDriver, clock: FrozenClock
) -> None:
    token = _feed(chat)
    assert _get(chat, token)[0] == 200
    chat.text("/停用成员 @孙七 2026-12-09", as_="admin")
    # until the leaving day it still answers
    set_local(clock, date(2026, 12, 8), 23, 30)
    assert _get(chat, token)[0] == 200
    # from the leaving day (before the sweep marks 孙七 inactive, and after): 410, no schedule
    set_local(clock, date(2026, 12, 9), 0, 5)
    status, body = _get(chat, token)
    assert status == 410 and "创建它的成员已经停用" in body, body
    assert "VCALENDAR" not in body and "赵六" not in body and "李华" not in body
    with transaction(chat.runtime.factory) as session:
        sunqi = session.scalars(select(Member).where(Member.handle == "sunqi")).one()
        assert people.take_effect(session, member=sunqi, now=clock())
    assert _get(chat, token)[0] == 410
    # when 孙七 returns, the feed works again
    assert "已重新启用" in chat.text("/启用成员 @孙七", as_="admin")
    status, body = _get(chat, token)
    assert status == 200 and "BEGIN:VCALENDAR" in body


def test_the_leavers_own_feed_still_answers(chat: ChatDriver, clock: FrozenClock) -> None:
    token = _feed(chat, mine=True)
    chat.text("/停用成员 @孙七 2026-12-09", as_="admin")
    set_local(clock, date(2026, 12, 10), 9)
    status, body = _get(chat, token)
    assert status == 200 and "BEGIN:VCALENDAR" in body
