"""Helpers for the 1on1 tests: the demo pair 李华 ↔ 张三 and the team's director."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import select

from teamassist.database import transaction
from teamassist.exceptions import Conflict
from teamassist.one_on_ones import changes, service
from teamassist.one_on_ones.models import AgendaItem, OneOnOne, OneOnOneMeeting
from teamassist.ports import Workdays
from teamassist.runtime import Runtime
from teamassist.team.models import Member, Team
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


def race_move(
    runtime: Runtime,
    pair_no: int,
    meeting_id: int,
    start: datetime,
    ready: threading.Barrier,
    out: list[str],
) -> None:
    """Move ``meeting_id`` of pair ``pair_no`` to ``start`` as its report, meeting the other
    thread at ``ready``; append "moved", the refusal's key, or the crash to ``out``."""
    serialised = runtime.engine.dialect.name == "sqlite"
    try:
        if serialised:  # SQLite holds one writer for a whole transaction: meet before it
            ready.wait()
        with transaction(runtime.factory) as session:
            pair = session.get(OneOnOne, pair_no)
            assert pair is not None
            team = session.get(Team, pair.team_id)
            by = session.get(Member, pair.report_id)
            assert team is not None and by is not None
            meeting = service.get_meeting(session, pair=pair, meeting_id=meeting_id, lock=True)
            if not serialised:  # both hold their own occurrence before either moves
                ready.wait()
            changes.reschedule(
                session,
                team=team,
                pair=pair,
                meeting=meeting,
                start_at=start,
                by=by,
                admin=False,
                now=runtime.clock(),
                workdays=runtime.ports.get(Workdays),
            )
        out.append("moved")
    except Conflict as refused:
        out.append(refused.key)
    except Exception as crashed:
        out.append(f"{type(crashed).__name__}: {crashed}")
