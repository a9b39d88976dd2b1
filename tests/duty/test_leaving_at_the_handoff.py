"""A leaver is on duty until their leaving day's hand-off in every view: one rule.

A tester (session 15): with 李四 leaving on Wednesday 06-03, at 01:00 that night ``/今日值班``
said 李四 was gone (from 00:00 on 06-03) while ``/查看值班表`` still had 李四 on Tuesday's shift,
which runs to the 03:00 hand-off. Both now read :func:`teamassist.duty.service.leaves_duty_at`: the
last duty day is the one before the leaving day. Demo: 技术 张三→李四→王五 daily, hand-off 03:00,
today Monday 2026-06-01 09:00 in Shanghai.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.team import people
from teamassist.team.models import Member
from tests.duty.helpers import set_local
from tests.support.chat import ChatDriver


def _tech(text: str) -> str:
    """The 技术 part of a /今日值班 reply or of the roster's first day."""
    [line] = [line for line in text.splitlines() if "「技术」" in line][:1]
    return line.split("「产品」")[0]


def _sweep(chat: ChatDriver) -> None:
    """What the team.departures sweep does at 00:00 on the leaving day."""
    with transaction(chat.runtime.factory) as session:
        member = session.scalars(select(Member).where(Member.handle == "lisi")).one()
        assert people.take_effect(session, member=member, now=chat.runtime.clock())


def test_who_and_the_roster_agree_between_midnight_and_the_handoff(
    chat: ChatDriver, clock: FrozenClock
) -> None:
    chat.text("/停用成员 @lisi 2026-06-03", as_="admin")
    set_local(clock, date(2026, 6, 3), 0, 30)
    _sweep(chat)
    # at 01:00 on the leaving day, Tuesday's night shift is still 李四's, in both views
    set_local(clock, date(2026, 6, 3), 1)
    who = _tech(chat.text("/今日值班", as_="admin"))
    roster = _tech(chat.text("/查看值班表 1", as_="admin"))
    assert "李四" in who and "李四" in roster, (who, roster)
    # from the 03:00 hand-off, neither has them
    set_local(clock, date(2026, 6, 3), 3, 30)
    who = _tech(chat.text("/今日值班", as_="admin"))
    roster = _tech(chat.text("/查看值班表 1", as_="admin"))
    assert "李四" not in who and "李四" not in roster, (who, roster)
    assert "@" in who and "@" in roster, (who, roster)
