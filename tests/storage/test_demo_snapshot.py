"""The test harness's demo copy (``tests/support/snapshots.py``) leaves the same database as
the real loader: every row of every table, the search side tables the triggers fill, and the
id counters, on every backend."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url

from teamassist import demo
from teamassist.clock import FrozenClock
from teamassist.database import Base, transaction
from teamassist.feedback import grams
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from tests.conftest import load_demo, make_runtime, migrated
from tests.support import snapshots


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    dump: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            dump[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
        if engine.dialect.name == "mysql":
            grams_rows = conn.execute(text(f"SELECT * FROM {grams.TABLE} ORDER BY 1, 2, 3"))
            dump[grams.TABLE] = [tuple(r) for r in grams_rows]
        if engine.dialect.name == "sqlite":
            # contentless FTS5: what a search finds is what the triggers indexed
            found = conn.execute(text("SELECT rowid FROM feedback_item_fts ORDER BY rowid"))
            dump["feedback_item_fts"] = [tuple(r) for r in found]
    return dump


def _counters(engine: Engine) -> list[tuple[str, int]]:
    """The id counters (PostgreSQL sequences, MariaDB AUTO_INCREMENT); SQLite has none here:
    its next id is the largest one kept, compared with the rows."""
    if engine.dialect.name == "sqlite":
        return []
    with engine.connect() as conn:
        return snapshots.counters(conn, engine.dialect.name)


def test_a_copied_demo_is_the_load_it_was_kept_from(db_url: str, clock: FrozenClock) -> None:
    backend = make_url(db_url).get_backend_name()
    database = migrated("mysql" if backend in ("mysql", "mariadb") else backend)
    key = ("test_demo_snapshot", uuid.uuid4().hex)  # a key of its own: the first load is real
    loads: list[str] = []

    def load(rt: Runtime) -> None:
        loads.append(rt.engine.url.render_as_string(hide_password=False))
        with transaction(rt.factory) as session:
            assert demo.load(session, now=rt.clock(), domains=rt.domains)

    rt = make_runtime(db_url, clock)
    try:
        database.load_demo(db_url, key, lambda: load(rt))
        loaded, loaded_counters = _rows(rt.engine), _counters(rt.engine)
    finally:
        rt.close()
    assert len(loads) == 1
    assert loaded["member"] and loaded["feedback_item"] and loaded["review_response"]

    url = database.fresh_url()
    rt = make_runtime(url, clock)
    try:
        assert not any(_rows(rt.engine).values())
        database.load_demo(url, key, lambda: load(rt))
        copied, copied_counters = _rows(rt.engine), _counters(rt.engine)
    finally:
        rt.close()
    assert len(loads) == 1, "copied, not loaded again"
    assert copied == loaded
    assert copied_counters == loaded_counters


def test_no_copy_into_a_database_with_rows(db_url: str, clock: FrozenClock) -> None:
    """A test that wrote rows before loading the demo gets the real loader."""
    backend = make_url(db_url).get_backend_name()
    database = migrated("mysql" if backend in ("mysql", "mariadb") else backend)
    key = ("test_demo_snapshot", uuid.uuid4().hex)
    rt = make_runtime(db_url, clock)
    try:
        database.load_demo(db_url, key, lambda: load_demo_really(rt))
    finally:
        rt.close()
    url = database.fresh_url()
    rt = make_runtime(url, clock)
    calls: list[int] = []
    try:
        with transaction(rt.factory) as session:
            team_service.create_workspace(session, key="other", name="另一个")
        database.load_demo(url, key, lambda: calls.append(1))
    finally:
        rt.close()
    assert calls == [1]


def load_demo_really(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        demo.load(session, now=rt.clock(), domains=rt.domains)


def test_counters_left_for_the_demo_end_where_its_load_left_them(
    db_url: str, clock: FrozenClock
) -> None:
    """``fresh_url(demo_next=True)`` leaves MariaDB's id counters where the last test moved
    them (past the demo's here); the copy then sets them to the load's, rows and all. Without
    ``demo_next`` every counter starts again from 1. (The session's demo, as the fixtures load
    it: its first load in a session is real, later ones copies, which the test above equates.)
    """
    backend = make_url(db_url).get_backend_name()
    database = migrated("mysql" if backend in ("mysql", "mariadb") else backend)
    rt = make_runtime(db_url, clock)
    try:
        load_demo(rt)
        loaded, loaded_counters = _rows(rt.engine), _counters(rt.engine)
        with transaction(rt.factory) as session:  # ids past the demo's
            team_service.create_workspace(session, key="other", name="另一个")
    finally:
        rt.close()

    url = database.fresh_url(demo_next=True)
    rt = make_runtime(url, clock)
    try:
        load_demo(rt)
        assert _rows(rt.engine) == loaded
        assert _counters(rt.engine) == loaded_counters
        with transaction(rt.factory) as session:
            team_service.create_workspace(session, key="other", name="另一个")
    finally:
        rt.close()

    url = database.fresh_url()
    rt = make_runtime(url, clock)
    try:
        assert not any(_rows(rt.engine).values())
        assert _counters(rt.engine) == []
    finally:
        rt.close()


def test_rows_written_before_a_demo_expected_next_are_refused(
    db_url: str, clock: FrozenClock
) -> None:
    """On MariaDB, rows written between ``fresh_url(demo_next=True)`` and the demo's load would
    carry ids from the last test's counters: an error names them rather than a test depending
    on the order tests ran in."""
    backend = make_url(db_url).get_backend_name()
    database = migrated("mysql" if backend in ("mysql", "mariadb") else backend)
    url = database.fresh_url(demo_next=True)
    rt = make_runtime(url, clock)
    try:
        with transaction(rt.factory) as session:
            team_service.create_workspace(session, key="other", name="另一个")
        if backend == "sqlite" or backend == "postgresql":
            return  # their counters are reset either way
        with pytest.raises(AssertionError, match="workspace"):
            database.load_demo(url, ("test_demo_snapshot", uuid.uuid4().hex), lambda: None)
    finally:
        rt.close()
