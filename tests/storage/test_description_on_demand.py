"""PostgreSQL: a cursor's ``description`` makes psycopg's ``Column`` objects only when read
(issue 9). SQLAlchemy reads it the first time a compiled statement runs and then keeps the
result's columns; psycopg made them on every run (the caller lookup's 33 per chat command)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, func, literal, select

from teamassist.database import make_engine
from teamassist.team.models import Workspace
from tests.conftest import migrated


@pytest.fixture
def engine() -> Any:
    made = make_engine(migrated("postgresql").fresh_url())
    yield made
    made.dispose()


def _counting_columns(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    made: list[int] = []
    real = psycopg.Column.__init__

    def counted(self: psycopg.Column, cursor: Any, index: int) -> None:
        made.append(index)
        real(self, cursor, index)

    monkeypatch.setattr(psycopg.Column, "__init__", counted)
    return made


def test_a_statement_run_again_makes_no_column_objects(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = select(func.count(Workspace.__table__.c.id).label("n"), literal("二").label("word"))
    with engine.connect() as connection:
        made = _counting_columns(monkeypatch)  # after the dialect's first-connect queries
        first = connection.execute(query).one()
        assert first._mapping == {"n": 0, "word": "二"}  # named from the description
        assert made == [0, 1]
        made.clear()
        again = connection.execute(query).one()
    assert tuple(again) == (0, "二")
    assert made == []


def test_the_description_is_psycopgs_own_even_read_after_the_cursor_moved_on(
    engine: Engine,
) -> None:
    sql = "SELECT 1 AS one, 'x'::text AS two"
    with engine.connect() as connection:
        raw: Any = connection.connection.dbapi_connection
        cursor = raw.cursor()
        cursor.execute(sql)
        described = cursor.description
        cursor.execute("SELECT now() AS three")
        plain = psycopg.Cursor(raw)
        plain.execute(sql)
        assert plain.description is not None
        expected = [(c.name, c.type_code) for c in plain.description]
        assert expected == [("one", 23), ("two", 25)]
        assert len(described) == 2
        assert [(c.name, c.type_code) for c in described] == expected
        assert described[-1].name == "two"
        cursor.execute("SET application_name = 'described'")
        assert cursor.description is None  # no rows: None, as psycopg says
        cursor.execute("SELECT")
        assert cursor.description is not None and len(cursor.description) == 0
