"""Two meetings moved onto one time at the same moment (tester s24 F15), on every backend: on
PostgreSQL both /改期 went through, though each checked for a clash, because neither saw the
other's uncommitted move. Each mover runs in its own thread and session; all have read the
meetings before any writes."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.database import run_transaction, transaction
from teamassist.exceptions import DomainError
from teamassist.meetings import changes, service
from teamassist.meetings.models import MeetingOccurrence
from teamassist.ports import Workdays
from teamassist.runtime import Runtime
from tests.okr.support import at, set_clock
from tests.team.support import demo


def _ids(rt: Runtime, *keys: str) -> list[int]:
    with rt.factory() as session:
        return [
            session.scalars(select(MeetingOccurrence.id).where(MeetingOccurrence.key == key)).one()
            for key in keys
        ]


def _movers(rt: Runtime, moves: list[tuple[int, datetime]]) -> list[str]:
    """Each move in its own thread; every unit reads the team's meetings, waits for the others
    at a barrier (SQLite's writer lock lets the next wait instead: the barrier breaks), then
    moves. The refusals' keys and "ok", sorted."""
    barrier = threading.Barrier(len(moves), timeout=3)
    now = rt.clock()
    workdays = rt.ports.get(Workdays)

    def run(move: tuple[int, datetime]) -> str:
        occurrence_id, start_at = move

        def unit(session: Session) -> None:
            team = demo(session).team
            session.scalars(select(MeetingOccurrence)).all()  # read first, as a request does
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
            occ = service.get(session, team=team, occurrence_id=occurrence_id, lock=True)
            changes.reschedule(
                session, team=team, occ=occ, start_at=start_at, now=now, workdays=workdays
            )

        try:
            run_transaction(rt.factory, unit)
        except DomainError as refused:
            return refused.key
        return "ok"

    with ThreadPoolExecutor(len(moves)) as pool:
        return sorted(pool.map(run, moves))


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
