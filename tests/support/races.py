"""Units of work racing on a server backend: each in its own thread and transaction, all
having read before any writes, so a check that reads and then writes without a row lock lets
two writers through (tester s24 F15: on PostgreSQL two meetings moved onto one time, each
having checked for a clash). One harness for the race tests of every domain."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.database import RETRY_ATTEMPTS, run_transaction
from teamassist.exceptions import DomainError
from teamassist.runtime import Runtime
from teamassist.team.models import Member

Work = Callable[[Session], str | None]


def read_members(session: Session) -> None:
    """The read a request makes before it writes (the caller's member): on MariaDB it takes the
    transaction's snapshot, on PostgreSQL the connection."""
    session.scalars(select(Member)).all()


def side_by_side(
    rt: Runtime,
    works: Sequence[Work],
    *,
    read: Callable[[Session], object] = read_members,
    wait: float = 3,
    attempts: int = RETRY_ATTEMPTS,
) -> list[str]:
    """Each of ``works`` in its own thread and transaction (``run_transaction``, as a request's
    boundary runs it): ``read(session)`` first, then a barrier until every unit has read, then
    the work. The outcomes, sorted: what a work returned (``"ok"`` for None), or the key of the
    DomainError that refused it. SQLite lets one writer in at a time (its BEGIN IMMEDIATE makes
    the next unit wait before it reads), so no unit can reach the barrier while another waits
    there: on SQLite the units run one after the other without it (it used to break after
    ``wait`` seconds, 3 s of every call), which must end the same way. ``attempts``: as
    ``run_transaction``'s; 1 shows a row lock doing the work a retried unique-key clash would
    otherwise hide."""
    together = rt.engine.dialect.name != "sqlite"
    barrier = threading.Barrier(len(works), timeout=wait)

    def run(work: Work) -> str:
        def unit(session: Session) -> str | None:
            read(session)
            if together:
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait()
            return work(session)

        try:
            answer = run_transaction(rt.factory, unit, attempts=attempts)
        except DomainError as refused:
            return refused.key
        return "ok" if answer is None else answer

    with ThreadPoolExecutor(len(works)) as pool:
        return sorted(pool.map(run, works))
