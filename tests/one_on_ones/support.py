"""Helpers for the 1on1 tests: the demo pair 李华 ↔ 张三 and the team's director."""

from __future__ import annotations

from sqlalchemy import select

from teamassist.one_on_ones.models import AgendaItem, OneOnOne, OneOnOneMeeting
from teamassist.runtime import Runtime
from tests.okr.support import demo


def make_director(runtime: Runtime, handle: str = "lihua") -> None:
    """Give the demo team its director (the demo leaves it unset)."""
    with demo(runtime) as given:
        given.team.director_id = given.member(handle).id


def pair_id(runtime: Runtime, manager: str = "lihua", report: str = "zhangsan") -> int:
    """The id of the demo pair ``manager`` ↔ ``report``."""
    with demo(runtime) as given:
        found = given.session.scalar(
            select(OneOnOne.id).where(
                OneOnOne.manager_id == given.member(manager).id,
                OneOnOne.report_id == given.member(report).id,
            )
        )
        assert found is not None
        return found


def item_id(runtime: Runtime, text: str) -> int:
    """The id of the agenda item with ``text``."""
    with runtime.factory() as session:
        found = session.scalar(select(AgendaItem.id).where(AgendaItem.text == text))
        assert found is not None, text
        return found


def meetings(runtime: Runtime, pair: int) -> list[OneOnOneMeeting]:
    """The pair's occurrences by start (detached)."""
    with runtime.factory() as session:
        rows = list(
            session.scalars(
                select(OneOnOneMeeting)
                .where(OneOnOneMeeting.pair_id == pair)
                .order_by(OneOnOneMeeting.start_at)
            )
        )
        for row in rows:
            session.expunge(row)
        return rows
