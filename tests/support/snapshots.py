"""Demo rows kept once per backend and copied into each test's empty database.

Loading the demo workspace through ``demo.load`` cost 4–11 s a test at load 3–8 (an argon2
password hash alone ~1 s, then ~550 ORM statements; measured in session 21, figures in the
commit that added this file), and most of the suite's tests load it, on each backend. The
first load of a session per key is the real one; its rows are kept on the same server (SQLite:
a file, PostgreSQL: a schema, MariaDB: a database) and later loads copy them back with one
``INSERT … SELECT`` per table, server-side, so every value (ids, hashes, timestamps) is the
one the loader wrote. Triggers fire on the copy as on the load (SQLite's FTS index, MariaDB's
n-gram table), and the id counters end where the load left them.

A copy is only made into a database whose tables are all empty, and only for the same key:
backend, ``now``, the domains' keys, and the ORM listeners installed in this process (the
scheduler's ``Team`` insert hook writes a ``job_due`` row only once a runtime installed it).
Anything else falls back to the real load.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from teamassist.database import Base


def table_names() -> list[str]:
    """The models' tables, parents first."""
    return [table.name for table in Base.metadata.sorted_tables]


def _quote(backend: str, name: str) -> str:
    return f"`{name}`" if backend == "mysql" else f'"{name}"'


def filled_tables(conn: Connection | sqlite3.Connection, backend: str) -> list[str]:
    """The models' tables that hold a row, parents first, in one statement."""
    probe = " UNION ALL ".join(
        f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {_quote(backend, name)})"
        if backend != "mysql"
        else f"SELECT {i} FROM DUAL WHERE EXISTS (SELECT 1 FROM {_quote(backend, name)})"
        for i, name in enumerate(table_names())
    )
    if isinstance(conn, sqlite3.Connection):
        rows = conn.execute(probe).fetchall()
    else:
        rows = list(conn.execute(text(probe)))
    names = table_names()
    return [names[row[0]] for row in sorted(rows)]


def listeners() -> tuple[tuple[str, int], ...]:
    """How many listeners each mapper and ``Session`` holds per event: part of a snapshot's key,
    since a listener installed later in the session (``scheduler.plan.install``) changes what a
    load writes."""
    counts: list[tuple[str, int]] = []
    targets: list[tuple[str, object]] = [("Session", Session().dispatch)]
    targets += [(m.class_.__name__, m.dispatch) for m in Base.registry.mappers]
    for owner, dispatch in targets:
        for event_name in getattr(dispatch, "_event_names", ()):
            n = len(list(getattr(dispatch, event_name)))
            if n:
                counts.append((f"{owner}.{event_name}", n))
    return tuple(sorted(counts))


def demo_key(now: datetime, domain_keys: Sequence[str]) -> Hashable:
    """What a demo load's rows depend on besides the backend."""
    return (now.isoformat(), tuple(domain_keys), listeners())


@dataclass(frozen=True)
class Snapshot:
    """Where one load's rows are kept and what they were."""

    where: str  # SQLite: a file; PostgreSQL: a schema; MariaDB: a database
    tables: tuple[str, ...]  # the tables with rows, parents first
    counters: tuple[tuple[str, int], ...]  # PostgreSQL sequences / MariaDB AUTO_INCREMENT


def sqlite_path(url: str) -> str:
    """The file of a SQLite URL."""
    return make_url(url).database or ""


# -- SQLite: a copy of the whole file, rows copied back through ATTACH -----------------------


def keep_sqlite(url: str, target: Path) -> Snapshot:
    """Copy the database at ``url`` (WAL included) to ``target``."""
    source = sqlite3.connect(sqlite_path(url))
    kept = sqlite3.connect(target)
    try:
        source.backup(kept)
        tables = filled_tables(kept, "sqlite")
    finally:
        kept.close()
        source.close()
    return Snapshot(str(target), tuple(tables), ())


def restore_sqlite(url: str, snap: Snapshot) -> bool:
    """Copy ``snap``'s rows into the empty database at ``url``; False if it is not empty."""
    conn = sqlite3.connect(sqlite_path(url), isolation_level=None, timeout=30)
    try:
        if filled_tables(conn, "sqlite"):
            return False
        conn.execute("ATTACH DATABASE ? AS snap", (snap.where,))
        conn.execute("BEGIN IMMEDIATE")
        for name in snap.tables:
            conn.execute(f'INSERT INTO main."{name}" SELECT * FROM snap."{name}"')
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE snap")
    finally:
        conn.close()
    return True


# -- PostgreSQL and MariaDB: a schema / database beside the test database ---------------------


def counters(conn: Connection, backend: str) -> list[tuple[str, int]]:
    if backend == "postgresql":
        rows = conn.execute(
            text(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
            )
        )
    else:
        rows = conn.execute(
            text(
                "SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = DATABASE() AND AUTO_INCREMENT > 1"
            )
        )
    return sorted((str(name), int(value)) for name, value in rows)


def keep_server(engine: Engine, backend: str, where: str) -> Snapshot:
    """Copy the filled tables of ``engine``'s database into schema/database ``where``."""
    q = _quote(backend, where)
    with engine.begin() as conn:
        tables = filled_tables(conn, backend)
        kept_counters = counters(conn, backend)
        conn.execute(text(f"CREATE {'SCHEMA' if backend == 'postgresql' else 'DATABASE'} {q}"))
        for name in tables:
            source = _quote(backend, name)
            if backend == "postgresql":
                conn.execute(text(f"CREATE TABLE {q}.{source} AS TABLE {source}"))
            else:
                conn.execute(text(f"CREATE TABLE {q}.{source} AS SELECT * FROM {source}"))
    return Snapshot(where, tuple(tables), tuple(kept_counters))


def restore_server(engine: Engine, backend: str, snap: Snapshot) -> bool:
    """Copy ``snap``'s rows into ``engine``'s empty database; False if it is not empty."""
    q = _quote(backend, snap.where)
    with engine.begin() as conn:
        if filled_tables(conn, backend):
            return False
        if backend == "mysql":
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        for name in snap.tables:
            target = _quote(backend, name)
            conn.execute(text(f"INSERT INTO {target} SELECT * FROM {q}.{target}"))
        if backend == "postgresql":
            if snap.counters:
                conn.execute(
                    text(
                        "SELECT "
                        + ", ".join(
                            f"setval('{name}', {value}, true)" for name, value in snap.counters
                        )
                    )
                )
        else:
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
            set_counters(conn, dict(snap.counters))
    return True


def set_counters(
    conn: Connection, wanted: dict[str, int], *, now: dict[str, int] | None = None
) -> None:
    """MariaDB: set each table's next AUTO_INCREMENT value to ``wanted``'s, 1 for a table it
    does not name, altering only those that differ (each ALTER is DDL: 30–60 ms at load 14).
    InnoDB moves a counter past an explicit id by itself, so after a copy most are already
    right; a load that used an id it did not keep (a rolled-back insert) leaves one further on,
    and a database emptied for the demo (``fresh_url(demo_next=True)``) keeps the last test's.
    ``now``: the counters above 1 if the caller just read them.
    """
    if now is None:
        now = dict(counters(conn, "mysql"))
    for name in sorted(set(now) | set(wanted)):
        value = wanted.get(name, 1)
        if now.get(name, 1) != value:
            conn.execute(text(f"ALTER TABLE `{name}` AUTO_INCREMENT = {value}"))


def drop_server(engine: Engine, backend: str, where: str) -> None:
    """Remove a kept schema/database."""
    q = _quote(backend, where)
    with engine.begin() as conn:
        if backend == "postgresql":
            conn.execute(text(f"DROP SCHEMA IF EXISTS {q} CASCADE"))
        else:
            conn.execute(text(f"DROP DATABASE IF EXISTS {q}"))
