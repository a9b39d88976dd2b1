"""Storage under concurrency (issue #10 A, issue #9): concurrent writers through the real
server on every backend, no stall at 64 concurrent chat requests, parallel CLI calls."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from teamassist import migrate
from teamassist.chat.models import InboundEvent
from teamassist.config import Settings
from teamassist.database import StatementCounter, make_engine, transaction
from teamassist.feedback.models import FeedbackItem
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo, make_runtime
from tests.support.server import serve

TOKEN = "concurrency-test-token"


@pytest.fixture
def served(db_url: str, clock: object) -> Iterator[tuple[Runtime, str]]:
    """The demo workspace behind a real uvicorn server (delivery worker running)."""
    runtime = make_runtime(db_url, clock, web={"api_token": TOKEN})  # type: ignore[arg-type]
    load_demo(runtime)
    with serve(create_app(runtime)) as base:
        yield runtime, base


def _post_all(base: str, path: str, bodies: list[dict[str, str]], workers: int) -> list[int]:
    headers = {"authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:

        def post(body: dict[str, str]) -> int:
            return client.post(path, json=body).status_code

        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(post, bodies))


def test_32_concurrent_writers_all_succeed_exactly_once(served: tuple[Runtime, str]) -> None:
    runtime, base = served
    texts = [f"并发写入 #{n:03d}" for n in range(96)]
    statuses = _post_all(base, "/api/v1/feedback/items", [{"text": t} for t in texts], 32)
    assert statuses == [201] * len(texts), statuses
    with transaction(runtime.factory) as session:
        stored = session.scalars(select(FeedbackItem.text)).all()
    assert sorted(t for t in stored if t.startswith("并发写入")) == texts


def test_64_concurrent_chat_requests_complete_without_stall(
    served: tuple[Runtime, str],
) -> None:
    runtime, base = served
    bodies = [{"text": "/帮助", "event_id": f"load-{n}"} for n in range(64)]
    started = time.monotonic()
    statuses = _post_all(base, "/api/v1/chat", bodies, 64)
    elapsed = time.monotonic() - started
    assert statuses == [200] * 64
    # The pool-deadlock this guards against stalls until the 30-s pool timeout.
    assert elapsed < 25, f"64 concurrent chat requests took {elapsed:.1f} s"
    with transaction(runtime.factory) as session:
        done = session.scalar(
            select(func.count()).select_from(InboundEvent).where(InboundEvent.status == "done")
        )
    assert done == 64


def test_read_only_command_is_one_transaction_of_six_statements(
    sqlite_runtime: Runtime,
) -> None:
    from fastapi.testclient import TestClient

    sqlite_runtime.settings.web.api_token = Settings(web={"api_token": TOKEN}).web.api_token
    load_demo(sqlite_runtime)
    headers = {"authorization": f"Bearer {TOKEN}"}
    app = create_app(sqlite_runtime, start_background=False)
    with TestClient(app) as client, StatementCounter(sqlite_runtime.engine) as counter:
        response = client.post("/api/v1/chat", json={"text": "/帮助"}, headers=headers)
        assert response.status_code == 200 and response.json()["handled"] is True
        assert counter.transactions == 1
        assert len(counter.statements) <= 6, counter.statements
        counter.reset()
        client.post("/api/v1/chat", json={"text": "/问题反馈 登录页打不开"}, headers=headers)
        assert counter.transactions == 1, counter.statements


def test_parallel_cli_chats_on_one_sqlite_file_all_exit_0(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/ta.db"
    migrate.upgrade(url)
    env = {**os.environ, "TEAMASSIST_DATABASE__URL": url}
    env["TEAMASSIST_CONFIG"] = str(tmp_path / "none.toml")
    for name in (
        "TEAMASSIST_QQ__ENABLED",
        "TEAMASSIST_FEISHU__ENABLED",
        "TEAMASSIST_WECOM__ENABLED",
    ):
        env.pop(name, None)
    cli = [str(Path(sys.executable).with_name("teamassist"))]
    subprocess.run([*cli, "demo", "load"], env=env, check=True, capture_output=True)
    commands = [["/问题反馈", f"并行提交 {n}"] for n in range(6)]
    procs = [
        subprocess.Popen(
            [*cli, "chat", "--as", "zhangsan", " ".join(words)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for words in commands
    ]
    # Generous: six interpreters start at once on a loaded CI machine.
    results = [(p.wait(timeout=600), p.stdout, p.stderr) for p in procs]
    for code, out, err in results:
        stderr = err.read() if err else ""
        assert code == 0, stderr
        assert "Traceback" not in stderr
        assert out is not None and out.read().strip()
    runtime_settings = Settings(database={"url": url})
    from teamassist.bootstrap import build_runtime

    runtime = build_runtime(runtime_settings)
    try:
        with transaction(runtime.factory) as session:
            stored = session.scalars(select(FeedbackItem.text)).all()
    finally:
        runtime.close()
    assert sorted(t for t in stored if t.startswith("并行提交")) == [
        f"并行提交 {n}" for n in range(6)
    ]


def test_racing_inserts_of_one_key_answer_as_if_alone(served: tuple[Runtime, str]) -> None:
    """30 requests add the same member at once: one 201, the rest 409, never a 500 (PostgreSQL
    and MariaDB raised a unique violation for every loser of the race)."""
    runtime, base = served
    with transaction(runtime.factory) as session:
        from teamassist.team import service as team_service

        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        team_id = team_service.default_team(session, workspace_id=ws.id).id
    body = {"handle": "racer", "display_name": "赛跑者"}
    statuses = _post_all(base, f"/api/v1/teams/{team_id}/members", [body] * 30, 30)
    assert sorted(statuses) == [201] + [409] * 29, statuses


def test_racing_objectives_each_get_their_own_number(served: tuple[Runtime, str]) -> None:
    """20 people create an objective at the same moment in a quarter nobody used yet: the
    quarter is created once and every objective is kept, numbered O-1 … O-20."""
    runtime, base = served
    bodies = [{"text": f"/新建目标 并发目标{n:02d}", "as": "admin"} for n in range(20)]
    statuses = _post_all(base, "/api/v1/chat", bodies, 20)
    assert statuses == [200] * 20, statuses
    from teamassist.okr.models import Objective

    with transaction(runtime.factory) as session:
        rows = session.execute(
            select(Objective.title, Objective.number).where(Objective.title.like("并发目标%"))
        ).all()
    assert sorted(title for title, _ in rows) == [f"并发目标{n:02d}" for n in range(20)]
    assert sorted(number for _, number in rows) == list(range(1, 21))


def test_the_next_sqlite_writer_begins_after_the_commit_not_before(tmp_path: Path) -> None:
    """This process's SQLite writers take turns on a lock so the next begins the moment the one
    before commits. The lock was released on SQLAlchemy's ``commit`` event, which fires before
    the driver's COMMIT: the next ``BEGIN IMMEDIATE`` then met the database still locked and
    fell to SQLite's sleeping busy handler. With no busy wait at all, any such overlap is an
    error here, so four threads writing 200 rows each must see none."""
    engine = make_engine(f"sqlite:///{tmp_path}/writers.db")

    @event.listens_for(engine, "connect")
    def _no_busy_wait(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=0")  # after the engine's own pragmas

    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    errors: list[Exception] = []

    def write() -> None:
        for _ in range(200):
            try:
                with engine.begin() as conn:
                    conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            except OperationalError as exc:
                errors.append(exc)

    with ThreadPoolExecutor(4) as pool:
        for future in [pool.submit(write) for _ in range(4)]:
            future.result()
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT count(*) FROM t").scalar()
    engine.dispose()
    assert errors == [] and rows == 800, (len(errors), rows, errors[:1])
