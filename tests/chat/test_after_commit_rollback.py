"""Work a handler hands over with ``fallback.after_commit`` runs only if its unit commits. A
unit rolled back whole kept it in ``session.info``: the dispatcher's ``take_later`` after a
repeated event id (whose inbox row is refused last, rolling the unit back) or a retried lock
race would have run it anyway, e.g. asked the chat provider twice for one message."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from teamassist.chat import fallback
from teamassist.database import make_engine, make_session_factory


def _factory(sqlite_url: str) -> sessionmaker[Session]:
    return make_session_factory(make_engine(sqlite_url))


def test_a_unit_rolled_back_whole_runs_none_of_its_handed_over_work(sqlite_url: str) -> None:
    factory = _factory(sqlite_url)
    ran: list[str] = []
    with factory() as session:
        session.execute(text("SELECT 1"))
        fallback.after_commit(session, lambda: ran.append("provider asked"))
        session.rollback()
        fallback.run_later(fallback.take_later(session))
    assert ran == []


def test_a_savepoint_rolled_back_keeps_the_units_work(sqlite_url: str) -> None:
    factory = _factory(sqlite_url)
    ran: list[str] = []
    with factory() as session:
        fallback.after_commit(session, lambda: ran.append("provider asked"))
        with session.begin_nested() as savepoint:
            session.execute(text("SELECT 1"))
            savepoint.rollback()
        session.commit()
        fallback.run_later(fallback.take_later(session))
    assert ran == ["provider asked"]
