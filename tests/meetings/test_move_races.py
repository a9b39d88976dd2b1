"""Two meetings moved onto one time at the same moment (tester s24 F15), on every backend: on
PostgreSQL both /改期 went through, though each checked for a clash, because neither saw the
other's uncommitted move. Each mover runs in its own thread and session; all have read the
meetings before any writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.database import transaction
from teamassist.meetings import changes, service
from teamassist.meetings.models import MeetingOccurrence
from teamassist.ports import Workdays
from teamassist.runtime import Runtime
from tests.okr.support import at, set_clock
from tests.support.races import side_by_side
from tests.team.support import demo


def _ids(rt: Runtime, *keys: str) -> list[int]:
    with rt.factory() as session:
        return [
            session.scalars(select(MeetingOccurrence.id).where(MeetingOccurrence.key == key)).one()
            for key in keys
        ]


def _movers(rt: Runtime, moves: list[tuple[int, datetime]]) -> list[str]:
    """Each move in its own thread; every unit reads the team's meetings, waits for the others
    (``tests.support.races.side_by_side``), then moves. The refusals' keys and "ok", sorted."""
    now = rt.clock()
    workdays = rt.ports.get(Workdays)

    def move(occurrence_id: int, start_at: datetime) -> Callable[[Session], None]:
        def work(session: Session) -> None:
            team = demo(session).team
            occ = service.get(session, team=team, occurrence_id=occurrence_id, lock=True)
            changes.reschedule(
                session, team=team, occ=occ, start_at=start_at, now=now, workdays=workdays
            )

        return work

    return side_by_side(rt, [move(*m) for m in moves], read=_read_meetings)


def _read_meetings(session: Session) -> None:
    """Read first, as a request does: the team and its meetings."""
    demo(session)
    session.scalars(select(MeetingOccurrence)).all()


def test_two_meetings_moved_onto_one_time_at_once_one_moves(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    set_clock(rt, "2026-11-02 09:00")
    with transaction(rt.factory) as session:
        service.ensure_planned(
            session, team=demo(session).team, now=rt.clock(), workdays=rt.ports.get(Workdays)
        )
    first, second = _ids(rt, "weekly:2026-11-06", "weekly:2026-11-13")
    onto = at("2026-11-12 14:00")  # a Thursday afternoon nobody has taken

    outcome = _movers(rt, [(first, onto), (second, onto)] * 2)

    # one moves; the other meeting's two movers hear of the clash, the winner's second mover
    # that the meeting is at that time already
    assert outcome == ["meetings.error.clash"] * 2 + ["meetings.error.same_time", "ok"], outcome
    with rt.factory() as session:
        there = session.scalars(
            select(MeetingOccurrence.id).where(
                MeetingOccurrence.id.in_([first, second]), MeetingOccurrence.start_at == onto
            )
        ).all()
        assert len(there) == 1, there
