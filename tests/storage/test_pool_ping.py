"""A server connection is pinged before use only after it sat idle in the pool (issue 9): a ping
per checkout was a round trip and client CPU in every transaction, four or more per /问题反馈
served with its notices' delivery. A connection that died while idle is still replaced."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from teamassist import database
from teamassist.database import make_engine
from tests.conftest import migrated

SERVERS = ["postgresql", "mysql"]


@pytest.fixture(params=SERVERS)
def engine(request: pytest.FixtureRequest) -> Any:
    made = make_engine(migrated(request.param).fresh_url())
    yield made
    made.dispose()


def _counting_pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    pings: list[object] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def _session_id(engine: Engine) -> int:
    with engine.connect() as connection:
        query = (
            "SELECT pg_backend_pid()"
            if engine.dialect.name == "postgresql"
            else "SELECT CONNECTION_ID()"
        )
        return int(connection.execute(text(query)).scalar_one())


def test_a_connection_used_a_moment_ago_is_not_pinged(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _counting_pings(engine, monkeypatch)
    first = _session_id(engine)
    assert [_session_id(engine) for _ in range(5)] == [first] * 5  # the same pooled connection
    assert pings == []


def test_an_idle_connection_is_pinged_and_replaced_when_dead(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _counting_pings(engine, monkeypatch)
    dead = _session_id(engine)
    killer = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with killer.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead})
            else:
                connection.execute(text(f"KILL {dead}"))
    finally:
        killer.dispose()
    # As if the connection had sat in the pool past the limit: its next checkout pings it.
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
    replaced = _session_id(engine)  # no error: the dead one was found by the ping and dropped
    assert replaced != dead
    assert len(pings) == 1
