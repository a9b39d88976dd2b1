"""Feedback search and the workspace-wide board at 10^4, 10^5 and 10^6 items (issue #9).

For each size, items are bulk-inserted into a database migrated with ``teamassist.migrate``
(SQLite, and PostgreSQL when ``TEAMASSIST_TEST_PG_URL`` is set: a scratch database is created
and dropped; MariaDB with ``--backends mysql``), the text index (SQLite's FTS table, the
PostgreSQL GIN index, MariaDB's n-gram table) built once after the fill. Then, through a
FastAPI endpoint served in-process by ``TestClient``, each in a fresh session as a request
would:

- **search**: ``queries.find`` with a text, the one function behind /查找反馈, ``?q=`` and the
  board. Two kinds of text, so that the growth of the result is told from the growth of the
  data: phrases whose hits **grow** with the data (a rare phrase in one item of 1,000: 10 hits
  at 10^4, 1,000 at 10^6; 2 Chinese characters, English, one character: thousands), and
  phrases whose hits are **the same at every size** (one in exactly ``FIXED_HITS`` items spread
  over the ids, 3+ and 2 characters; a phrase of unknown characters; a phrase of frequent
  parts that never occurs whole, which an n-gram index could only rule out item by item: it
  reads the newest ``queries.SHORT_QUERY_WINDOW`` items once its parts are common, and the
  line shows the window told);
- **board**: the first page of the workspace-wide list (no filter), with its bounded count;

each also called directly (no HTTP: the query's own cost, its CPU and its statements); and, in
the same run, a bare FastAPI endpoint returning a constant: the ratio says how much a search
costs over the framework's own per-request cost. Figures are p50/p99 over ``calls`` requests
after a warm-up (``time.perf_counter``). The last lines give each case's growth from the
smallest size to the largest ("flat" is within noise; the growing cases are bounded by the
count bound, ``queries.COUNT_LIMIT``).

Run: ``python -m benchmarks.feedback_search`` (or ``make bench``); ``--sizes 10000,100000``,
``--backends sqlite,postgresql,mysql``, ``--calls 50``. ``--keep`` keeps each filled database
(named by size and fill version; SQLite files under ``$TMPDIR/ta-search-keep``) and reuses it
on the next run, migrated to the current head: 10^6 items take 10–35 minutes to build.
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
from sqlalchemy import Engine, create_engine, event, insert, inspect, select, text
from sqlalchemy.engine import make_url

from teamassist import migrate
from teamassist.database import make_engine, make_session_factory, normalise_url, transaction
from teamassist.feedback import grams, queries
from teamassist.feedback.models import FeedbackItem
from teamassist.feedback.queries import FeedbackFilter
from teamassist.team import service as team_service
from teamassist.team.models import Workspace

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
# What is searched, hits growing with the data: a rare 3+ phrase (one item in 1,000), a common
# 2-character word, English, a common single character.
QUERIES = {"罕见问题": "rare", "白屏": "2 chars", "crashes": "English", "屏": "1 char"}
RARE = "罕见问题"
# ... and hits the same at every size: a phrase in exactly FIXED_HITS items, spread over the
# ids (its first two characters, a word of their own, match the same items); characters no
# text holds; and frequent parts never joined (登录页面 and 页面白屏 are fragments, 登录页面白屏
# is in no text, yet each of its trigrams and bigrams is in thousands).
FIXED = "定额样本"
FIXED_HITS = 20
FIXED_QUERIES = {
    FIXED: "fixed 20",
    FIXED[:2]: "fixed 20, 2 chars",
    "无此内容": "no hit",
    "登录页面白屏": "no hit, frequent parts",
}
# Bump when _rows changes: a kept database (``--keep``) of another version is rebuilt.
FILL_VERSION = 2


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
    # SQL statements per direct call.
    statements: dict[tuple[str, int, str], int] = field(default_factory=dict)
    # The count each search returned (bounded: COUNT_LIMIT + 1 is "1000+").
    hits: dict[tuple[str, int, str], int] = field(default_factory=dict)
    # The window the reply tells (queries.Found.window, window_reason), if any.
    windows: dict[tuple[str, int, str], str] = field(default_factory=dict)
    fill_seconds: dict[tuple[str, int], float] = field(default_factory=dict)
    # MariaDB: the n-gram table's rows and size per (backend, size).
    index_size: dict[tuple[str, int], str] = field(default_factory=dict)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def _rows(
    workspace_id: int, team_id: int, start: int, count: int, size: int
) -> list[dict[str, object]]:
    """Items ``start`` to ``start + count`` of a fill of ``size``."""
    rng = random.Random(SEED + start)
    spacing = max(1, size // FIXED_HITS)
    rows = []
    for n in range(start, start + count):
        words = rng.sample(FRAGMENTS, 3)
        if n % 1000 == 7:
            words.append(RARE)
        if n % spacing == spacing // 2 and n // spacing < FIXED_HITS:
            words.append(FIXED)
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


def kept_name(size: int) -> str:
    """The name of a kept database of ``size`` items (``--keep``)."""
    return f"ta_bench_search_v{FILL_VERSION}_{size}"


def kept_folder() -> Path:
    """Where ``--keep`` puts the SQLite files."""
    return Path(tempfile.gettempdir()) / "ta-search-keep"


# Made in a kept database once its fill is finished (a run killed mid-fill leaves none).
FILLED = "bench_search_filled"


def _finished(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return FILLED in inspect(c).get_table_names()
    finally:
        engine.dispose()


@contextmanager
def _database(backend: str, folder: Path, kept: str | None) -> Iterator[tuple[str, bool]]:
    """A database URL and whether it holds a finished fill to reuse: a scratch database
    dropped at exit, or with ``kept`` that database, (re)created unless its fill was finished,
    and never dropped."""
    if backend == "sqlite":
        if kept is None:
            yield f"sqlite:///{folder / f'search-{uuid.uuid4().hex[:6]}.db'}", False
            return
        kept_folder().mkdir(exist_ok=True)
        path = kept_folder() / f"{kept}.db"
        url = f"sqlite:///{path}"
        if path.exists() and not _finished(url):
            path.unlink()
        yield url, path.exists()
        return
    variable = "TEAMASSIST_TEST_PG_URL" if backend == "postgresql" else "TEAMASSIST_TEST_MYSQL_URL"
    admin_url = normalise_url(os.environ[variable])
    name = kept or f"ta_bench_{uuid.uuid4().hex[:8]}"
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    force = " WITH (FORCE)" if backend == "postgresql" else ""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if backend == "postgresql":
            query = "SELECT 1 FROM pg_database WHERE datname = :n"
        else:
            query = "SELECT 1 FROM information_schema.schemata WHERE schema_name = :n"
        exists = conn.scalar(text(query), {"n": name}) is not None
        reuse = exists and _finished(url)
        if exists and not reuse:
            conn.execute(text(f"DROP DATABASE {name}{force}"))
        if not reuse:
            encoding = "ENCODING 'UTF8'" if backend == "postgresql" else "CHARACTER SET utf8mb4"
            conn.execute(text(f"CREATE DATABASE {name} {encoding}"))
    try:
        yield url, reuse
    finally:
        if kept is None:
            with admin.connect() as conn:
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


def _fill(engine: Engine, backend: str, size: int) -> tuple[int, int]:
    """Create the workspace and its ``size`` items, index built after; its and its team's ids."""
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        workspace = team_service.create_workspace(session, key="bench", name="bench")
        team = team_service.create_team(
            session, workspace=workspace, key="b", name="b", timezone="Asia/Shanghai"
        )
        workspace_id, team_id = workspace.id, team.id
    with _index_built_after(engine, backend):
        for start in range(0, size, 20_000):
            with transaction(factory) as session:
                session.execute(
                    insert(FeedbackItem),
                    _rows(workspace_id, team_id, start, min(20_000, size - start), size),
                )
    if backend == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE feedback_item"))
    return workspace_id, team_id


def _kept_workspace(engine: Engine) -> int:
    with engine.connect() as c:  # through the model: ``key`` is a reserved word on MariaDB
        return int(c.execute(select(Workspace.id).where(Workspace.key == "bench")).scalar_one())


def measure(
    backend: str, size: int, calls: int, figures: Figures, folder: Path, *, keep: bool = False
) -> None:
    """Fill one database with ``size`` items (or reuse a kept one) and time the searches and
    the board on it."""
    with _database(backend, folder, kept_name(size) if keep else None) as (url, existing):
        began = time.perf_counter()
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            if existing:
                workspace_id = _kept_workspace(engine)
            else:
                workspace_id, _team_id = _fill(engine, backend, size)
                with engine.begin() as c:
                    c.execute(text(f"CREATE TABLE {FILLED} (size INTEGER)"))
                figures.fill_seconds[(backend, size)] = time.perf_counter() - began
            figures.index_size[(backend, size)] = _index_size(engine, backend)
            factory = make_session_factory(engine)
            statements = [0]

            @event.listens_for(engine, "before_cursor_execute")
            def _count(*_args: object) -> None:
                statements[0] += 1

            told = [""]

            def search(q: str | None) -> int:
                with factory() as session:
                    found = queries.find(
                        session,
                        workspace_id=workspace_id,
                        filters=FeedbackFilter(text=q),
                        limit=50,
                    )
                    told[0] = f"window {found.window} {found.window_reason}" if found.window else ""
                    return found.total

            cases: dict[str, str | None] = {f"search {label}": q for q, label in QUERIES.items()}
            cases |= {f"search {label}": q for q, label in FIXED_QUERIES.items()}
            cases["board page 1"] = None
            with TestClient(_app(search)) as client:
                figures.bare += _timed(client, "/bare", calls)
                for label, q in cases.items():
                    path = "/search" if q is None else f"/search?q={q}"
                    key = (backend, size, label)
                    figures.samples[key] = _timed(client, path, calls)
                    figures.direct[key], figures.cpu[key] = _direct(search, q, calls)
                    statements[0] = 0
                    figures.hits[key] = search(q)
                    figures.statements[key] = statements[0]
                    figures.windows[key] = told[0]
        finally:
            engine.dispose()


def run(
    sizes: tuple[int, ...] = SIZES,
    *,
    calls: int = 200,
    backends: tuple[str, ...] = (),
    keep: bool = False,
) -> Figures:
    """Measure every size on SQLite, and on PostgreSQL when its URL is set (MariaDB: ask for
    ``mysql`` in ``backends``); ``keep``: build each database once and reuse it."""
    figures = Figures()
    if not backends:
        backends = ("sqlite",)
        backends += ("postgresql",) if os.environ.get("TEAMASSIST_TEST_PG_URL") else ()
    with tempfile.TemporaryDirectory(prefix="ta-search-") as tmp:
        for backend in backends:
            for size in sizes:
                measure(backend, size, calls, figures, Path(tmp), keep=keep)
    return figures


def report(figures: Figures) -> list[str]:
    """One line per (backend, size, request), with the ratio to the bare endpoint's p50; then
    each request's growth from the smallest size to the largest (query alone, p50 and CPU)."""
    bare = percentile(figures.bare, 50)
    lines = [
        f"bare FastAPI endpoint: p50 {bare * 1e3:.3f} ms   p99 "
        f"{percentile(figures.bare, 99) * 1e3:.3f} ms (n={len(figures.bare)})"
    ]
    for (backend, size, label), samples in figures.samples.items():
        key = (backend, size, label)
        p50 = percentile(samples, 50)
        direct = figures.direct[key]
        fill = figures.fill_seconds.get((backend, size))
        lines.append(
            f"{backend:<10} {size:>9,} items  {label:<29}: p50 {p50 * 1e3:7.2f} ms"
            f"   p99 {percentile(samples, 99) * 1e3:7.2f} ms   {p50 / bare:5.1f}x bare"
            f"   | query alone p50 {percentile(direct, 50) * 1e3:6.2f} ms"
            f" p99 {percentile(direct, 99) * 1e3:6.2f} ms"
            f"   CPU p50 {percentile(figures.cpu[key], 50) * 1e3:6.2f} ms"
            f"   {figures.statements[key]} statements   {figures.hits[key]} hits"
            + (f" ({figures.windows[key]})" if figures.windows.get(key) else "")
            + (f"   (fill {fill:.0f} s)" if fill is not None else "   (kept)")
        )
    for (backend, size), described in figures.index_size.items():
        if described:
            lines.append(f"{backend:<10} {size:>9,} items  index: {described}")
    for backend in dict.fromkeys(b for b, _s, _l in figures.samples):
        sizes = sorted({s for b, s, _l in figures.samples if b == backend})
        if len(sizes) < 2:
            continue
        low, high = sizes[0], sizes[-1]
        for label in dict.fromkeys(lb for b, _s, lb in figures.samples if b == backend):
            first, last = (backend, low, label), (backend, high, label)
            if first not in figures.direct or last not in figures.direct:
                continue
            wall = percentile(figures.direct[last], 50) / percentile(figures.direct[first], 50)
            cpu = percentile(figures.cpu[last], 50) / max(percentile(figures.cpu[first], 50), 1e-6)
            lines.append(
                f"{backend:<10} {low:,} -> {high:,} items  {label:<29}: query alone p50"
                f" x{wall:.2f}, CPU x{cpu:.2f}   hits {figures.hits[first]} -> {figures.hits[last]}"
            )
    return lines


def main() -> None:
    """Print the figures (see the module docstring)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--backends", default="", help="sqlite,postgresql (default: all set)")
    parser.add_argument(
        "--keep", action="store_true", help="keep each filled database and reuse it next time"
    )
    args, _rest = parser.parse_known_args()
    sizes = tuple(int(s) for s in args.sizes.split(","))
    backends = tuple(b for b in args.backends.split(",") if b)
    for line in report(run(sizes, calls=args.calls, backends=backends, keep=args.keep)):
        print(line)


if __name__ == "__main__":
    main()
