"""Test databases: SQLite always; PostgreSQL and MariaDB when `make test` started them.

Each backend is migrated once per session (through Alembic, never create_all); every test then
starts from empty tables. On CI (``CI=true``) a missing server is an error, not a skip.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Hashable
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from teamassist import migrate
from teamassist.bootstrap import import_models
from teamassist.database import make_engine, normalise_url
from teamassist.feedback import grams
from tests.support import snapshots

BACKENDS = ("sqlite", "postgresql", "mysql")
# Above this many rows (InnoDB's estimate) a MariaDB table is truncated rather than deleted from.
_MANY_ROWS = 2000
ENV = {
    "postgresql": "TEAMASSIST_TEST_PG_URL",
    "mysql": "TEAMASSIST_TEST_MYSQL_URL",
    "redis": "TEAMASSIST_TEST_REDIS_URL",  # not a database: the scale-out tests' broker
}


def server_url(backend: str) -> str | None:
    """The admin URL of a running server for ``backend``, or None."""
    return os.environ.get(ENV[backend]) if backend in ENV else None


def require_backend(backend: str) -> None:
    """Skip (or, on CI, fail) when the backend's server is not available."""
    if backend == "sqlite" or server_url(backend):
        return
    message = f"{ENV[backend]} is not set; `make test` starts a {backend} server"
    if os.environ.get("CI") == "true" or os.environ.get("TEAMASSIST_TEST_ALL_BACKENDS") == "1":
        pytest.fail(message)
    pytest.skip(message)


class MigratedDatabase:
    """One migrated database per backend per test session."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self._template: Path | None = None
        self.url: str = ""
        self._snapshots: dict[Hashable, snapshots.Snapshot] = {}
        # MariaDB: the id counters were left by fresh_url(demo_next=True) for load_demo to set.
        self._counters_stale = False
        if backend == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="ta-sqlite-"))
            self._template = folder / "template.db"
            migrate.upgrade(f"sqlite:///{self._template}")
            self._folder = folder
        else:
            admin_url = server_url(backend)
            assert admin_url
            name = f"ta_test_{uuid.uuid4().hex[:10]}"
            admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                if backend == "mysql":
                    conn.execute(
                        text(
                            f"CREATE DATABASE {name} "
                            "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                        )
                    )
                else:
                    conn.execute(text(f"CREATE DATABASE {name} ENCODING 'UTF8'"))
            admin.dispose()
            self._admin_url = admin_url
            self._name = name
            self.url = (
                make_url(normalise_url(admin_url))
                .set(database=name)
                .render_as_string(hide_password=False)
            )
            migrate.upgrade(self.url)
            import_models()
            self._engine = make_engine(self.url)

    def fresh_url(self, *, demo_next: bool = False) -> str:
        """A URL whose tables are empty (a copied file on SQLite, emptied tables elsewhere).

        ``demo_next``: the caller's next write is :meth:`load_demo` (the ``demo_runtime``
        fixture). MariaDB's id counters are then left where the last test moved them and set
        once, to the demo's, by the copy; otherwise every counter the last test moved goes back
        to 1 here (``ALTER TABLE … AUTO_INCREMENT`` is DDL, 30–60 ms a table at load 14, and
        a demo test moves ~31 of them).
        """
        if self._template is not None:
            target = self._folder / f"{uuid.uuid4().hex}.db"
            shutil.copyfile(self._template, target)
            return f"sqlite:///{target}"
        with self._engine.begin() as conn:
            moved = self._empty(conn)
            if self.backend == "mysql":
                self._counters_stale = demo_next
                if not demo_next:
                    snapshots.set_counters(conn, {}, now=moved)
        return self.url

    def _empty(self, conn: Connection) -> dict[str, int]:
        """Empty the tables a test wrote (PostgreSQL: and restart the id counters it moved):
        the same end as truncating every table, for the cost of the few it touched.

        DELETE, not TRUNCATE, which is a file operation per table on both servers: after a
        demo test (~33 tables) TRUNCATE took 0.4–0.6 s on PostgreSQL at load 6 and 1.1–4.3 s
        on MariaDB at load 14, their DELETE 0.02–0.3 s. A table holding many rows is still
        truncated, since a DELETE pays per row. Returns MariaDB's id counters above 1, read
        before (one ``information_schema`` query, which opens every table).
        """
        tables = snapshots.filled_tables(conn, self.backend)
        if self.backend == "mysql":
            # The n-gram table is not a model (feedback.grams); with the foreign keys off
            # nothing cascades, and stale grams would name the next test's items.
            filled = f"SELECT EXISTS (SELECT 1 FROM `{grams.TABLE}`)"
            if conn.execute(text(filled)).scalar():
                tables.append(grams.TABLE)
            sizes = conn.execute(
                text(
                    "SELECT TABLE_NAME, TABLE_ROWS, AUTO_INCREMENT FROM information_schema.TABLES "
                    "WHERE TABLE_SCHEMA = DATABASE()"
                )
            ).all()
            many = {str(name) for name, rows, _ in sizes if (rows or 0) > _MANY_ROWS}
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
            for table in tables:
                verb = "TRUNCATE TABLE" if table in many else "DELETE FROM"
                conn.execute(text(f"{verb} `{table}`"))
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
            return {str(name): int(next_id) for name, _, next_id in sizes if (next_id or 0) > 1}
        big = "SELECT relname FROM pg_stat_user_tables WHERE n_live_tup > :many"
        many = set(conn.execute(text(big), {"many": _MANY_ROWS}).scalars())
        if many & set(tables):  # CASCADE: its children go too, whatever they hold
            names = ", ".join(f'"{t}"' for t in tables if t in many)
            conn.execute(text(f"TRUNCATE {names} CASCADE"))
        for table in reversed(tables):  # children first: no foreign key is left dangling
            if table not in many:
                conn.execute(text(f'DELETE FROM "{table}"'))
        moved = conn.execute(
            text(
                "SELECT sequencename FROM pg_sequences "
                "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
            )
        ).scalars()
        restarts = [f"setval('\"{name}\"', 1, false)" for name in moved]
        if restarts:
            conn.execute(text("SELECT " + ", ".join(restarts)))
        return {}

    def owns(self, url: str) -> bool:
        """Whether ``url`` is this session database (or, on SQLite, one of its copies)."""
        parsed = make_url(url)
        if self._template is not None:
            return parsed.get_backend_name() == "sqlite" and Path(parsed.database or "").parent == (
                self._folder
            )
        return parsed.database == self._name and parsed.port == make_url(self.url).port

    def load_demo(self, url: str, key: Hashable, load: Callable[[], None]) -> None:
        """Run ``load`` (the demo loader) on the database at ``url``, one of :meth:`owns`'s, or
        copy in the rows its first run for ``key`` left there (``tests/support/snapshots.py``).
        """
        snap = self._snapshots.get(key)
        stale, self._counters_stale = self._counters_stale, False
        if stale:
            written = self._filled(url)
            assert not written, (
                f"rows in {written} were written before the demo was loaded, on MariaDB id "
                "counters left for the demo's copy (fresh_url(demo_next=True)): load the demo "
                "first, or ask for an empty database without demo_next"
            )
            if snap is None:  # the real load below: from the counters an empty database has
                with self._engine.begin() as conn:
                    snapshots.set_counters(conn, {})
        if snap is not None:
            if self._restore(url, snap):
                return
            load()
            return
        empty = not self._filled(url)
        load()
        if empty:
            where = f"demo{len(self._snapshots)}"
            if self._template is not None:
                snap = snapshots.keep_sqlite(url, self._folder / f"{where}.db")
            else:
                if self.backend == "mysql":
                    where = f"{self._name}_{where}"
                snap = snapshots.keep_server(self._engine, self.backend, where)
            self._snapshots[key] = snap

    def _filled(self, url: str) -> list[str]:
        if self._template is not None:
            file = sqlite3.connect(snapshots.sqlite_path(url))
            try:
                return snapshots.filled_tables(file, "sqlite")
            finally:
                file.close()
        with self._engine.connect() as conn:
            return snapshots.filled_tables(conn, self.backend)

    def _restore(self, url: str, snap: snapshots.Snapshot) -> bool:
        if self._template is not None:
            return snapshots.restore_sqlite(url, snap)
        return snapshots.restore_server(self._engine, self.backend, snap)

    def drop(self) -> None:
        """Remove the session's database (and the demo rows kept beside it)."""
        if self._template is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            return
        if self.backend == "mysql":
            for snap in self._snapshots.values():
                snapshots.drop_server(self._engine, self.backend, snap.where)
        self._engine.dispose()
        admin = create_engine(normalise_url(self._admin_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {self._name}"))
        admin.dispose()
