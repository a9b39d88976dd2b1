"""MariaDB: a connection goes back to the pool without a ROLLBACK after its transaction was
committed (issue 9: a round trip per transaction, the pool's reset after the ORM's commit),
and is still rolled back when it comes back with a transaction open."""

from __future__ import annotations

from typing import Any

import pymysql
import pytest
from sqlalchemy import Engine, text

from teamassist.database import make_engine, make_session_factory, transaction
from tests.conftest import migrated


@pytest.fixture
def engine() -> Any:
    made = make_engine(migrated("mysql").fresh_url())
    with made.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS reset_probe"))
        connection.execute(text("CREATE TABLE reset_probe (id INT PRIMARY KEY)"))
    yield made
    with made.begin() as connection:
        connection.execute(text("DROP TABLE reset_probe"))
    made.dispose()


def _counting_rollbacks(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    rollbacks: list[object] = []
    real = pymysql.connections.Connection.rollback

    def counted(self: pymysql.connections.Connection) -> None:
        rollbacks.append(self)
        real(self)

    monkeypatch.setattr(pymysql.connections.Connection, "rollback", counted)
    return rollbacks


def test_a_committed_unit_goes_back_without_a_rollback(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        session.execute(text("SELECT 1"))  # the first connect's own statements come first
    rollbacks = _counting_rollbacks(monkeypatch)
    for number in range(3):
        with transaction(factory) as session:
            session.execute(text("INSERT INTO reset_probe (id) VALUES (:id)"), {"id": number})
        with transaction(factory, read_only=True) as session:
            assert session.execute(text("SELECT COUNT(*) FROM reset_probe")).scalar() == number + 1
    assert rollbacks == []


def test_a_unit_that_fails_is_still_rolled_back(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    rollbacks = _counting_rollbacks(monkeypatch)
    factory = make_session_factory(engine)
    with pytest.raises(RuntimeError), transaction(factory) as session:
        session.execute(text("INSERT INTO reset_probe (id) VALUES (7)"))
        raise RuntimeError("the unit failed")
    assert len(rollbacks) == 1
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM reset_probe")).scalar() == 0


def test_a_connection_back_with_a_transaction_open_is_rolled_back(engine: Engine) -> None:
    """Written on the driver's connection behind SQLAlchemy's back, left uncommitted and
    handed back: the next user's commit must not keep that row."""
    raw = engine.raw_connection()
    cursor = raw.cursor()
    cursor.execute("INSERT INTO reset_probe (id) VALUES (42)")
    cursor.close()
    raw.close()  # back to the pool, a transaction open
    with engine.begin() as connection:  # the same pooled connection (the only one used)
        connection.execute(text("INSERT INTO reset_probe (id) VALUES (43)"))
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT id FROM reset_probe ORDER BY id")).scalars()
        assert list(kept) == [43]
