"""Feedback search and the workspace-wide board at 10^4, 10^5 and 10^6 items (issue #9).

For each size, items are bulk-inserted into a database migrated with ``teamassist.migrate``
(SQLite, and PostgreSQL when ``TEAMASSIST_TEST_PG_URL`` is set: a scratch database is created
and dropped; MariaDB with ``--backends mysql``), the text index (SQLite's FTS table, the
PostgreSQL GIN index, MariaDB's n-gram table) built once after the fill. Then, through a
FastAPI endpoint served in-process by ``TestClient``, each in a fresh session as a request
would:

- **search**: ``queries.search`` with a text (3+ characters, 2 Chinese characters, English,
  one Chinese character),
  the one function behind /查找反馈, ``?q=`` and the board;
- **board**: the first page of the workspace-wide list (no filter), with its bounded count;

each also called directly (no HTTP: the query's own cost); and, in the same run, a bare
FastAPI endpoint returning a constant: the ratio says how much a
search costs over the framework's own per-request cost. Figures are p50/p99 over ``calls``
requests after a warm-up (``time.perf_counter``).

Run: ``python -m benchmarks.feedback_search`` (or ``make bench``); ``--sizes 10000,100000``.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url

from teamassist import migrate
from teamassist.database import make_engine, make_session_factory, normalise_url, transaction
from teamassist.feedback import grams, queries
from teamassist.feedback.models import FeedbackItem
from teamassist.feedback.queries import FeedbackFilter
from teamassist.team import service as team_service

SIZES = (10_000, 100_000, 1_000_000)
SEED = 9
NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
# Fragments real feedback is made of; each item joins a few and a number.
FRAGMENTS = [
    "登录页面",
    "点击按钮没有反应",
    "上传头像时报错",
    "希望支持深色模式",
    "API 返回 429",
    "SDK 示例跑不通",
    "导出 CSV 乱码",
    "支付后订单没更新",
    "App crashes on start",
    "slow response on search",
    "消息推送延迟",
    "文档有错别字",
    "请求超时",
    "页面白屏 😭",
]
# What is searched: a rare 3+ phrase (one item in ~1,000), a common 2-character word, English,
# a common single character.
QUERIES = {"罕见问题": "rare", "白屏": "2 chars", "crashes": "English", "屏": "1 char"}
RARE = "罕见问题"


@dataclass
class Figures:
    """Seconds per request: samples[(backend, size, label)]."""

    samples: dict[tuple[str, int, str], list[float]] = field(default_factory=dict)
    # The same calls without HTTP: the query's own cost, less blurred by the framework.
    direct: dict[tuple[str, int, str], list[float]] = field(default_factory=dict)
    # This process's CPU time per direct call: the query's work on SQLite (in process), steadier
    # than wall time on a shared machine; on PostgreSQL the server's share is not in it.
    cpu: dict[tuple[str, int, str], list[float]] = field(default_factory=dict)
    bare: list[float] = field(default_factory=list)
    fill_seconds: dict[tuple[str, int], float] = field(default_factory=dict)
    # MariaDB: the n-gram table's rows and size per (backend, size).
    index_size: dict[tuple[str, int], str] = field(default_factory=dict)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def _rows(workspace_id: int, team_id: int, start: int, count: int) -> list[dict[str, object]]:
    rng = random.Random(SEED + start)
    rows = []
    for n in range(start, start + count):
        words = rng.sample(FRAGMENTS, 3)
        if n % 1000 == 7:
            words.append(RARE)
        rows.append(
            {
                "workspace_id": workspace_id,
                "team_id": team_id,
                "kind": "bug",
                "text": f"{'，'.join(words)} #{n}",
                "reporter_name": "bench",
                "status": "open" if n % 10 == 0 else "resolved",
                "plus_ones": 0,
                "local_date": date(2026, 6, 1),
                "created_at": NOW,
                "awaiting_since": NOW,
                "digest_pending": False,
                "updated_at": NOW,
                "origin_platform": "",
                "origin_tenant_key": "",
                "origin_chat_key": "",
                "origin_chat_name": "",
            }
        )
    return rows


@contextmanager
def _database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'search-{uuid.uuid4().hex[:6]}.db'}"
        return
    variable = "TEAMASSIST_TEST_PG_URL" if backend == "postgresql" else "TEAMASSIST_TEST_MYSQL_URL"
    admin_url = normalise_url(os.environ[variable])
    name = f"ta_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if backend == "postgresql":
            conn.execute(text(f"CREATE DATABASE {name} ENCODING 'UTF8'"))
        else:
            conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            force = " WITH (FORCE)" if backend == "postgresql" else ""
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}{force}"))
        admin.dispose()


@contextmanager
def _index_built_after(engine: Engine, backend: str) -> Iterator[None]:
    """Bulk-fill without the text index, then build it once: SQLite's insert trigger feeds the
    FTS table row by row (10^5 items: 33 s against 13 s, 2026-12-02), PostgreSQL's GIN index is
    faster built than maintained, MariaDB's n-gram table is written in batches of item ids
    (``grams.backfill``, as its migration does). The migration's own statements are re-run."""
    if backend == "mysql":
        # The foreign key and its index are added after the backfill too: a sorted index build
        # beats 10^7 index inserts, and the foreign key is not checked again (checks off).
        with engine.begin() as c:
            c.execute(text(f"DROP TRIGGER {grams.TABLE}_insert"))
            c.execute(text(f"ALTER TABLE {grams.TABLE} DROP FOREIGN KEY fk_{grams.TABLE}_item_id"))
            c.execute(text(f"ALTER TABLE {grams.TABLE} DROP INDEX ix_{grams.TABLE}_item_id"))
        yield
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            grams.backfill(c, batch=5_000)
            c.execute(text("SET foreign_key_checks = 0"))
            c.execute(
                text(
                    f"ALTER TABLE {grams.TABLE} ADD KEY ix_{grams.TABLE}_item_id (item_id),"
                    f" ADD CONSTRAINT fk_{grams.TABLE}_item_id FOREIGN KEY (item_id)"
                    " REFERENCES feedback_item (id) ON DELETE CASCADE"
                )
            )
            c.execute(text("SET foreign_key_checks = 1"))
            c.execute(text(next(s for s in grams.CREATE if f"{grams.TABLE}_insert" in s)))
        return
    if backend == "sqlite":
        name = "feedback_item_fts_insert"
        query = text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n")
    else:
        name = "ix_feedback_item_text_trgm"
        query = text("SELECT indexdef FROM pg_indexes WHERE indexname = :n")
    with engine.begin() as c:
        statement = c.execute(query, {"n": name}).scalar_one()
        c.execute(text(f"DROP {'TRIGGER' if backend == 'sqlite' else 'INDEX'} {name}"))
    yield
    with engine.begin() as c:
        if backend == "sqlite":
            c.execute(
                text(
                    "INSERT INTO feedback_item_fts(rowid, text)"
                    " SELECT id, text || char(1, 1) FROM feedback_item"
                )
            )
        c.execute(text(statement))


def _index_size(engine: Engine, backend: str) -> str:
    """MariaDB: the n-gram table's rows and size (what the index costs in storage)."""
    if backend != "mysql":
        return ""
    with engine.begin() as c:
        c.execute(text(f"ANALYZE TABLE {grams.TABLE}"))
        rows = c.scalar(text(f"SELECT COUNT(*) FROM {grams.TABLE}"))
        size = c.scalar(
            text(
                "SELECT data_length + index_length FROM information_schema.tables"
                " WHERE table_schema = DATABASE() AND table_name = :t"
            ),
            {"t": grams.TABLE},
        )
    return f"{rows:,} grams, {int(size or 0) / 2**20:,.0f} MiB"


def _timed(client: TestClient, path: str, calls: int) -> list[float]:
    samples = []
    for i in range(calls + 20):
        began = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - began
        response.raise_for_status()
        if i >= 20:
            samples.append(elapsed)
    return samples


def _direct(
    search: Callable[[str | None], int], q: str | None, calls: int
) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for i in range(calls + 20):
        began, began_cpu = time.perf_counter(), time.process_time()
        search(q)
        if i >= 20:
            wall.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
    return wall, cpu


def _app(search: Callable[[str | None], int]) -> FastAPI:
    app = FastAPI()

    @app.get("/bare")
    def bare() -> dict[str, int]:
        return {"ok": 1}

    @app.get("/search")
    def run_search(q: str | None = None) -> dict[str, int]:
        return {"total": search(q)}

    return app


def measure(backend: str, size: int, calls: int, figures: Figures, folder: Path) -> None:
    """Fill one database with ``size`` items and time the searches and the board on it."""
    with _database(backend, folder) as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        try:
            with transaction(factory) as session:
                workspace = team_service.create_workspace(session, key="bench", name="bench")
                team = team_service.create_team(
                    session, workspace=workspace, key="b", name="b", timezone="Asia/Shanghai"
                )
                workspace_id, team_id = workspace.id, team.id
            began = time.perf_counter()
            with _index_built_after(engine, backend):
                for start in range(0, size, 20_000):
                    with transaction(factory) as session:
                        session.execute(
                            insert(FeedbackItem),
                            _rows(workspace_id, team_id, start, min(20_000, size - start)),
                        )
            if backend == "postgresql":
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.execute(text("VACUUM ANALYZE feedback_item"))
            figures.fill_seconds[(backend, size)] = time.perf_counter() - began
            figures.index_size[(backend, size)] = _index_size(engine, backend)

            def search(q: str | None) -> int:
                with factory() as session:
                    _items, total = queries.search(
                        session,
                        workspace_id=workspace_id,
                        filters=FeedbackFilter(text=q),
                        limit=50,
                    )
                    return total

            cases: dict[str, str | None] = {f"search {label}": q for q, label in QUERIES.items()}
            cases["board page 1"] = None
            with TestClient(_app(search)) as client:
                figures.bare += _timed(client, "/bare", calls)
                for label, q in cases.items():
                    path = "/search" if q is None else f"/search?q={q}"
                    figures.samples[(backend, size, label)] = _timed(client, path, calls)
                    key = (backend, size, label)
                    figures.direct[key], figures.cpu[key] = _direct(search, q, calls)
        finally:
            engine.dispose()


def run(
    sizes: tuple[int, ...] = SIZES, *, calls: int = 200, backends: tuple[str, ...] = ()
) -> Figures:
    """Measure every size on SQLite, and on PostgreSQL when its URL is set (MariaDB: ask for
    ``mysql`` in ``backends``)."""
    figures = Figures()
    if not backends:
        backends = ("sqlite",)
        backends += ("postgresql",) if os.environ.get("TEAMASSIST_TEST_PG_URL") else ()
    with tempfile.TemporaryDirectory(prefix="ta-search-") as tmp:
        for backend in backends:
            for size in sizes:
                measure(backend, size, calls, figures, Path(tmp))
    return figures


def report(figures: Figures) -> list[str]:
    """One line per (backend, size, request), with the ratio to the bare endpoint's p50."""
    bare = percentile(figures.bare, 50)
    lines = [
        f"bare FastAPI endpoint: p50 {bare * 1e3:.3f} ms   p99 "
        f"{percentile(figures.bare, 99) * 1e3:.3f} ms (n={len(figures.bare)})"
    ]
    for (backend, size, label), samples in figures.samples.items():
        p50 = percentile(samples, 50)
        direct = figures.direct[(backend, size, label)]
        lines.append(
            f"{backend:<10} {size:>9,} items  {label:<16}: p50 {p50 * 1e3:7.2f} ms"
            f"   p99 {percentile(samples, 99) * 1e3:7.2f} ms   {p50 / bare:5.1f}x bare"
            f"   | query alone p50 {percentile(direct, 50) * 1e3:6.2f} ms"
            f" p99 {percentile(direct, 99) * 1e3:6.2f} ms"
            f"   CPU p50 {percentile(figures.cpu[(backend, size, label)], 50) * 1e3:6.2f} ms"
            f"   (fill {figures.fill_seconds[(backend, size)]:.0f} s)"
        )
    for (backend, size), described in figures.index_size.items():
        if described:
            lines.append(f"{backend:<10} {size:>9,} items  index: {described}")
    return lines


def main() -> None:
    """Print the figures (see the module docstring)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--backends", default="", help="sqlite,postgresql (default: all set)")
    args, _rest = parser.parse_known_args()
    sizes = tuple(int(s) for s in args.sizes.split(","))
    backends = tuple(b for b in args.backends.split(",") if b)
    for line in report(run(sizes, calls=args.calls, backends=backends)):
        print(line)


if __name__ == "__main__":
    main()
