"""Issue 16: ``/healthz`` and ``/readyz`` for load balancers: public, bounded in time, 503 with
a JSON reason when this replica cannot serve (database down or hung, schema behind, Redis down)."""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from teamassist.bootstrap import DOMAINS
from teamassist.logs import QuietProbes
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from teamassist.web.health import TIMEOUT_SECONDS, Readiness


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    app = create_app(runtime, start_background=False)
    # A first connection to a loaded shared test server can take over 1 s; the probes that are
    # meant to answer "ready" get room, the one that tests the bound uses the real 1 s.
    app.state.readiness = Readiness(runtime.domains, timeout=10)
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def _with_engine_of(app: FastAPI, runtime: Runtime, url: str) -> None:
    """Point the probe at another database, as if the runtime's one had gone."""
    app.state.runtime = dataclasses.replace(runtime, engine=create_engine(url))


def _unreachable_url(runtime: Runtime, tmp_path: Path) -> str:
    url = runtime.engine.url
    if url.get_backend_name() == "sqlite":
        blocker = tmp_path / "a-file"
        blocker.write_text("")
        return f"sqlite:///{blocker}/x.db"  # its folder is a file: cannot be opened
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


def test_healthz_answers_without_a_session_or_the_database(
    app: FastAPI, client: TestClient, runtime: Runtime, tmp_path: Path
) -> None:
    # given a replica whose database has gone away
    _with_engine_of(app, runtime, _unreachable_url(runtime, tmp_path))
    # when a probe without any session asks whether the process lives
    response = client.get("/healthz")
    # then it does (a restart would not bring the database back)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_on_a_migrated_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok"},
    }


def test_readyz_is_503_with_a_reason_when_the_database_is_down(
    app: FastAPI, client: TestClient, runtime: Runtime, tmp_path: Path
) -> None:
    # given the database cannot be reached
    _with_engine_of(app, runtime, _unreachable_url(runtime, tmp_path))
    # when the load balancer asks
    started = time.monotonic()
    response = client.get("/readyz")
    # then the replica is taken out of rotation, saying why, within the 1-s bound
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"].startswith("unreachable: ")
    assert body["checks"]["migrations"] == "unknown: the database did not answer"
    assert body["reason"].startswith("database: unreachable: ")
    # and the public answer names no host, port or path (the log has the driver's text)
    unreachable = _unreachable_url(runtime, tmp_path)
    assert "127.0.0.1" not in response.text and "a-file" not in response.text, unreachable


def test_readyz_gives_up_on_a_database_that_never_answers(
    app: FastAPI, client: TestClient, runtime: Runtime
) -> None:
    # given a "database" that accepts connections and then says nothing
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    app.state.readiness = Readiness(runtime.domains)  # the real bound
    assert TIMEOUT_SECONDS == 1.0
    try:
        _with_engine_of(app, runtime, f"postgresql+psycopg://x@127.0.0.1:{port}/x")
        # when probed twice
        started = time.monotonic()
        first = client.get("/readyz")
        took = time.monotonic() - started
        second = client.get("/readyz")
        # then the first waits about the 1-s bound, the second does not queue behind it
        assert 0.9 < took < 5
        assert first.status_code == second.status_code == 503
        assert first.json()["checks"]["database"] == "unreachable: no answer within 1 s"
        assert "still waiting" in second.json()["checks"]["database"]
    finally:
        silent.close()


def test_readyz_is_503_when_the_schema_is_behind(client: TestClient, runtime: Runtime) -> None:
    # given one domain branch's migration has not run (its version row is missing; the first by
    # name, whose branch no other depends on: announcements_0004's row stands for core's too)
    with runtime.engine.begin() as conn:
        versions = sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
        conn.execute(text("DELETE FROM alembic_version WHERE version_num = :v"), {"v": versions[0]})
    try:
        response = client.get("/readyz")
    finally:
        with runtime.engine.begin() as conn:
            conn.execute(
                text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": versions[0]}
            )
    # then the replica waits for `teamassist db upgrade`
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {
        "database": "ok",
        "migrations": "schema is not at head (run `teamassist db upgrade`): 1 branch(es) behind",
    }
    assert body["reason"].startswith("migrations: schema is not at head")


def test_readyz_says_a_schema_a_newer_release_migrated_is_ahead(
    client: TestClient, runtime: Runtime
) -> None:
    """Tester s29 F-5: a revision this release does not know was "2 branch(es) behind, run
    `teamassist db upgrade`", a command that cannot help; it is ahead."""
    with runtime.engine.begin() as conn:
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('okr_0099')"))
    try:
        response = client.get("/readyz")
    finally:
        with runtime.engine.begin() as conn:
            conn.execute(text("DELETE FROM alembic_version WHERE version_num = 'okr_0099'"))
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == (
        "schema is ahead of this release (migrated by a newer one: okr_0099); "
        "run that release, or restore the backup taken before it"
    )
    assert client.get("/readyz").status_code == 200


def _with_redis(app: FastAPI, runtime: Runtime, url: str) -> None:
    settings = runtime.settings.model_copy(
        update={"scale_out": runtime.settings.scale_out.model_copy(update={"redis_url": url})}
    )
    app.state.runtime = dataclasses.replace(runtime, settings=settings)


def test_readyz_checks_redis_in_scale_out_mode(
    app: FastAPI, client: TestClient, runtime: Runtime
) -> None:
    redis_url = os.environ.get("TEAMASSIST_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEAMASSIST_TEST_REDIS_URL is not set (scripts/test-services.sh starts one)")
    # given scale-out mode with a live Redis
    _with_redis(app, runtime, redis_url)
    assert client.get("/readyz").json()["checks"]["redis"] == "ok"


def test_readyz_stays_200_and_says_degraded_when_redis_is_down(
    app: FastAPI, client: TestClient, runtime: Runtime
) -> None:
    # given scale-out mode and a Redis nobody runs (every replica shares it: a 503 here took
    # them all out of rotation while each could still serve, the tester found)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _with_redis(app, runtime, f"redis://127.0.0.1:{port}/0")
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("unreachable: ConnectionError")


def test_probes_stay_out_of_the_access_log() -> None:
    quiet = QuietProbes()

    def access(path: str) -> logging.LogRecord:
        return logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5000", "GET", path, "1.1", 200),
            None,
        )

    assert not quiet.filter(access("/healthz"))
    assert not quiet.filter(access("/readyz?verbose=1"))
    assert not quiet.filter(access("/metrics"))
    assert quiet.filter(access("/api/v1/teams"))


# A fresh interpreter: Alembic logs its plugin set-up once per process, on first import, which
# this test process did long ago (the migrations of the test databases).
_FIRST_PROBE = """
import logging, sys
from fastapi.testclient import TestClient
from teamassist.bootstrap import build_runtime
from teamassist.config import Settings
from teamassist.web.app import create_app
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="LOG %(name)s %(message)s")
runtime = build_runtime(Settings(database={"url": sys.argv[1]}))
with TestClient(create_app(runtime, start_background=False)) as client:
    print("PROBES", [client.get("/readyz").status_code for _ in range(3)], flush=True)
"""


def test_readyz_logs_no_alembic_lines_even_on_a_first_probe(sqlite_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_PROBE, sqlite_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "PROBES [200, 200, 200]" in done.stdout, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("LOG alembic")]
    assert lines == []


def test_a_head_another_branch_depends_on_counts_as_reached() -> None:
    """announcements_0004 is a head that core_0009 depends on (core_0008 was, for
    announcements_0004, until core_0009 followed it): once both ran, alembic_version keeps
    core's newest alone, and readyz called a fresh install a branch behind (503). Core's
    newest is read, not named: core_0010 followed core_0009 and the named one went stale."""
    readiness = Readiness(DOMAINS)
    heads = readiness.heads()
    assert "announcements_0004" in heads
    [core] = [head for head in heads if head.startswith("core_")]
    try:
        assert readiness.behind(heads - {"announcements_0004"}) == 0
        assert readiness.behind(heads - {"announcements_0004", core}) == 2
        assert readiness.behind(heads | {"nobody_0001"}) == 1  # a schema newer than the code
    finally:
        readiness.close()
