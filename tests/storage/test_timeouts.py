"""Connect and statement timeouts on the database servers (issue 16, operations item 5): a hung
database makes a request answer 503 within the configured time instead of hanging for minutes.

Hangs are made for this test only: a table lock held by another connection (the query waits on
it as on a stuck server), a listener that never answers (a blackholed host)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from teamassist.bootstrap import build_runtime
from teamassist.clock import FrozenClock
from teamassist.config import Settings
from teamassist.database import make_engine, normalise_url, server_timeouts
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo, migrated
from tests.support.web import sign_in

SERVERS = ["postgresql", "mysql"]


def _runtime(url: str, clock: FrozenClock, **database: float) -> Runtime:
    return build_runtime(Settings(database={"url": url, **database}), clock=clock)


UNAVAILABLE = "数据库暂时没有响应，请稍后再试"


def test_each_server_gets_its_drivers_timeouts_and_the_url_keeps_its_own() -> None:
    pg = make_url(normalise_url("postgresql://u@h/db"))
    assert server_timeouts(pg, 10, 30) == {
        "connect_timeout": 10,
        "options": "-c statement_timeout=30000",
    }
    assert server_timeouts(pg, 0.5, 0.25) == {
        "connect_timeout": 2,  # libpq's whole seconds, at least 2
        "options": "-c statement_timeout=250",
    }
    own = make_url(normalise_url("postgresql://u@h/db?connect_timeout=3&options=-csearch_path%3Dx"))
    assert server_timeouts(own, 10, 30) == {}
    maria = make_url(normalise_url("mysql://u@h/db"))
    assert server_timeouts(maria, 10, 30) == {
        "connect_timeout": 10,
        "read_timeout": 30,
        "write_timeout": 30,
    }
    assert server_timeouts(pg, 0, 0) == server_timeouts(maria, 0, 0) == {}
    assert server_timeouts(make_url("sqlite:///x.db"), 10, 30) == {}


def test_a_statement_over_the_postgresql_timeout_is_cancelled() -> None:
    url = migrated("postgresql").fresh_url()
    engine = make_engine(url, statement_timeout=0.3)
    try:
        with engine.connect() as connection:
            started = time.monotonic()
            with pytest.raises(OperationalError, match="statement timeout"):
                connection.execute(text("SELECT pg_sleep(5)"))
            assert time.monotonic() - started < 2
    finally:
        engine.dispose()


@pytest.fixture(params=SERVERS)
def server_url(request: pytest.FixtureRequest) -> str:
    return migrated(request.param).fresh_url()


def test_a_request_stuck_on_the_database_answers_503_within_the_statement_timeout(
    server_url: str, clock: FrozenClock
) -> None:
    # Given a replica with a 1 s statement timeout, and an admin signed in
    runtime = _runtime(server_url, clock, statement_timeout_seconds=1)
    load_demo(runtime)
    try:
        with TestClient(create_app(runtime, start_background=False)) as client:
            sign_in(client)
            # When the overview's query waits on a database that does not answer
            engine = create_engine(normalise_url(server_url))
            holder = engine.connect()
            if engine.dialect.name == "postgresql":
                holder.execute(text("BEGIN"))
                holder.execute(text("LOCK TABLE outbox_message IN ACCESS EXCLUSIVE MODE"))
            else:
                holder.execute(text("LOCK TABLES outbox_message WRITE"))
            try:
                started = time.monotonic()
                page = client.get("/", headers={"Accept": "text/html"})
                took = time.monotonic() - started
            finally:
                holder.close()
                engine.dispose()
            # Then it answers 503 with a friendly page in about the timeout, not minutes
            assert page.status_code == 503, page.text[:300]
            assert UNAVAILABLE in page.text
            assert page.headers["Retry-After"] == "5"
            assert took < 10
            # And once the database answers again the replica serves as before
            assert client.get("/", headers={"Accept": "text/html"}).status_code == 200
    finally:
        runtime.close()


@pytest.fixture
def blackhole() -> Iterator[int]:
    """A port that accepts TCP connections (the kernel's backlog) and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield int(listener.getsockname()[1])
    listener.close()


@pytest.mark.parametrize("backend", SERVERS)
def test_a_database_that_never_answers_is_given_up_after_the_connect_timeout(
    backend: str, blackhole: int, clock: FrozenClock
) -> None:
    url = make_url(migrated(backend).fresh_url()).set(host="127.0.0.1", port=blackhole)
    dead = url.render_as_string(hide_password=False)
    # Given a replica whose database host stopped answering, with a 2 s connect timeout (the
    # statement timeout left at 30 s: the handshake is bounded by the connect timeout alone)
    runtime = _runtime(dead, clock, connect_timeout_seconds=2)
    try:
        with TestClient(create_app(runtime, start_background=False)) as client:
            started = time.monotonic()
            response = client.get("/api/v1/teams", headers={"Authorization": "Bearer x"})
            took = time.monotonic() - started
        # Then the request answers 503 in JSON within a few seconds
        assert response.status_code == 503, response.text
        assert response.json()["error"] == "core.error.database_unavailable"
        assert UNAVAILABLE in response.json()["message"]
        assert took < 15
    finally:
        runtime.close()
