"""The transaction boundary re-runs a unit of work after a lost lock race, and only then."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pymysql
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from teamassist import migrate
from teamassist.cli import app
from teamassist.database import is_retryable, make_engine, make_session_factory, run_transaction


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _wrapped(orig: Exception) -> OperationalError:
    return OperationalError("UPDATE …", {}, orig)


@pytest.mark.parametrize(
    ("orig", "retry"),
    [
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("no such table: x"), False),
        (_PgError("40001"), True),  # serialization failure
        (_PgError("40P01"), True),  # deadlock detected
        (_PgError("23505"), True),  # unique violation: a racing insert, run the unit again
        (pymysql.err.OperationalError(1213, "Deadlock found"), True),
        (pymysql.err.OperationalError(1205, "Lock wait timeout exceeded"), True),
        (pymysql.err.OperationalError(2013, "Lost connection"), False),
    ],
)
def test_retryable_errors_per_backend(orig: Exception, retry: bool) -> None:
    assert is_retryable(_wrapped(orig)) is retry


def test_sqlite_busy_error_codes_are_retryable() -> None:
    busy_snapshot = sqlite3.OperationalError("database is locked")
    busy_snapshot.sqlite_errorcode = 517  # SQLITE_BUSY_SNAPSHOT
    assert is_retryable(_wrapped(busy_snapshot))


def test_run_transaction_reruns_the_whole_unit_then_gives_up(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    factory = make_session_factory(engine)
    calls: list[int] = []

    def flaky(session: Session) -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _wrapped(sqlite3.OperationalError("database is locked"))
        return "done"

    assert run_transaction(factory, flaky) == "done" and len(calls) == 3

    calls.clear()

    def always_locked(session: Session) -> None:
        calls.append(1)
        raise _wrapped(sqlite3.OperationalError("database is locked"))

    with pytest.raises(OperationalError):
        run_transaction(factory, always_locked, attempts=4)
    assert len(calls) == 4

    calls.clear()

    def conflict(session: Session) -> None:
        calls.append(1)
        raise IntegrityError("INSERT …", {}, Exception("unique"))

    with pytest.raises(IntegrityError):
        run_transaction(factory, conflict)
    assert len(calls) == 1  # not a lock race: never re-run
    engine.dispose()


def test_cli_chat_reports_a_delivery_problem_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", f"sqlite:///{tmp_path}/ta.db")
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "none.toml"))
    migrate.upgrade(f"sqlite:///{tmp_path}/ta.db")
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "load"]).exit_code == 0

    def broken(self: object) -> None:
        raise _wrapped(sqlite3.OperationalError("database is locked\nmore detail"))

    monkeypatch.setattr("teamassist.runtime.Runtime.deliver", broken)
    result = runner.invoke(app, ["chat", "--as", "zhangsan", "/问题反馈 通知发送失败的测试"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "小助理收到你的反馈" in result.output
    lines = [line for line in result.output.splitlines() if "通知暂未发出" in line]
    assert len(lines) == 1 and "database is locked" in lines[0]


def test_server_transactions_read_committed(db_url: str) -> None:
    """database.py's rules assume READ COMMITTED on both servers; MariaDB's default is
    REPEATABLE READ, where a plain read after a row lock sees the transaction's old snapshot."""
    engine = make_engine(db_url)
    try:
        backend = engine.dialect.name
        if backend == "sqlite":
            pytest.skip("SQLite serialises writers; it has no isolation levels to set")
        # Given a transaction of the product's engine, when it asks the server its level
        with engine.begin() as connection:
            query = (
                "SHOW transaction_isolation"
                if backend == "postgresql"
                else ("SELECT @@tx_isolation")
            )
            level = str(connection.exec_driver_sql(query).scalar())
        # Then it is READ COMMITTED
        assert level.replace("-", " ").upper() == "READ COMMITTED"
    finally:
        engine.dispose()
