"""A database host that accepts connections and never answers (issue 16, a tester's find): every
entry point gives up after about ``database.connect_timeout_seconds`` instead of hanging.

The hung server is a local listener made by the test: the kernel completes the TCP handshake
from its backlog, and nothing is ever written back (no PostgreSQL ``R`` message, no MySQL
greeting). pymysql used to read the greeting with no timeout at all, and ``db upgrade`` built
its engine with none, so both waited for minutes."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner, Result

from teamassist import logs
from teamassist.cli import app as cli
from teamassist.database import make_engine
from tests.conftest import migrated

SERVERS = ["postgresql", "mysql"]
# The connect timeout these tests set; libpq counts whole seconds and at least 2.
CONNECT = 2
# The longest a give-up may take: the timeout, plus psycopg's second try (it retries a silent
# host once without SSL when sslmode=prefer) and a loaded machine's start-up.
GIVE_UP = 3 * CONNECT + 4
# A test that regressed must fail, not hang the run: past this the call is abandoned.
ABANDON = 60.0


@pytest.fixture
def hung_port() -> Iterator[int]:
    """A port that accepts TCP connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield int(listener.getsockname()[1])
    listener.close()  # resets the queued connections: an abandoned call ends too


def _url(backend: str, port: int) -> str:
    return f"{backend}://ta:secret@127.0.0.1:{port}/ta"


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    """``call()``'s result (or what it raised) and the seconds it took; a call still running
    after :data:`ABANDON` fails the test."""
    box: list[Any] = []

    def run() -> None:
        try:
            box.append(call())
        except BaseException as exc:  # handed to the test to assert on
            box.append(exc)

    started = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(ABANDON)
    took = time.monotonic() - started
    assert box, f"still waiting on the hung database after {took:.0f} s"
    return box[0], took


@pytest.mark.parametrize("backend", SERVERS)
def test_an_engine_gives_up_a_silent_server_after_the_connect_timeout(
    backend: str, hung_port: int
) -> None:
    # Given an engine with a 2 s connect timeout and no statement timeout (as `serve`'s start-up
    # check and `db upgrade` build theirs), on a host that accepts and stays silent
    engine = make_engine(_url(backend, hung_port), connect_timeout=CONNECT)
    try:
        # When it connects
        outcome, took = _timed(engine.connect)
    finally:
        engine.dispose()
    # Then it is refused as a connection error in about the connect timeout
    assert isinstance(outcome, OperationalError), outcome
    assert took < GIVE_UP


def test_mariadb_statements_keep_their_own_timeout_after_the_bounded_handshake() -> None:
    # Given a MariaDB engine whose handshake is bounded by 2 s and statements by 0.5 s
    engine = make_engine(migrated("mysql").fresh_url(), connect_timeout=2, statement_timeout=0.5)
    try:
        with engine.connect() as connection:
            # When a statement runs longer than the handshake's bound, within the statement's
            assert connection.execute(text("SELECT 1")).scalar() == 1
        with engine.connect() as connection:
            started = time.monotonic()
            # Then it is given up after the statement timeout, not the connect timeout
            with pytest.raises(OperationalError):
                connection.execute(text("SELECT SLEEP(5)"))
            assert time.monotonic() - started < 1.8
    finally:
        engine.dispose()
    # And without a statement timeout a statement may outlast the connect timeout
    engine = make_engine(migrated("mysql").fresh_url(), connect_timeout=1)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT SLEEP(1.5)")).scalar() == 0
    finally:
        engine.dispose()


COMMANDS = {
    "db upgrade": ["db", "upgrade"],
    "serve": ["serve"],
    "worker": ["worker"],
    "scheduler tick": ["scheduler", "tick"],
    "config check": ["config", "check"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("backend", SERVERS)
def test_every_command_gives_up_a_silent_database_with_one_line(
    backend: str,
    command: str,
    hung_port: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given an install whose database host accepts and stays silent, 2 s connect timeout
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", _url(backend, hung_port))
    monkeypatch.setenv("TEAMASSIST_DATABASE__CONNECT_TIMEOUT_SECONDS", str(CONNECT))
    if command == "worker":  # scale-out's roles need a broker; it is never reached here
        monkeypatch.setenv("TEAMASSIST_SCALE_OUT__REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(logs, "configure", lambda *_a, **_k: None)  # keep the run's root logger
    # When the command starts
    result, took = _timed(lambda: CliRunner().invoke(cli, COMMANDS[command]))
    assert isinstance(result, Result), result
    # Then it stops within about the connect timeout, naming the setting to check, no traceback
    assert took < GIVE_UP, f"{command} took {took:.1f} s"
    if command == "config check":
        assert result.exit_code == 1
        assert "cannot reach the database" in result.output
    else:
        assert result.exit_code == 3, result.output
        assert "Cannot reach the database" in result.output
        assert "TEAMASSIST_DATABASE__URL" in result.output
    assert "Traceback" not in result.output
    assert "secret" not in result.output  # the password never shown
