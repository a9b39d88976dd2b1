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
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from teamassist import migrate
from teamassist.bootstrap import import_models
from teamassist.database import make_engine, normalise_url
from teamassist.feedback import grams
from tests.support import snapshots

BACKENDS = ("sqlite", "postgresql", "mysql")
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

    def fresh_url(self) -> str:
        """A URL whose tables are empty (a copied file on SQLite, truncated tables elsewhere)."""
        if self._template is not None:
            target = self._folder / f"{uuid.uuid4().hex}.db"
            shutil.copyfile(self._template, target)
            return f"sqlite:///{target}"
        self._truncate(self._engine)
        return self.url

    def _truncate(self, engine: Engine) -> None:
        """Empty the tables a test wrote and restart the id counters it moved: the same end as
        truncating every table, for the cost of the few it touched (TRUNCATE is a file
        operation per table on InnoDB: all 72 took 3–7 s a test at load ~5)."""
        with engine.begin() as conn:
            tables = snapshots.filled_tables(conn, self.backend)
            if self.backend == "postgresql":
                if tables:
                    conn.execute(
                        text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
                    )
                moved = conn.execute(
                    text(
                        "SELECT sequencename FROM pg_sequences "
                        "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
                    )
                ).scalars()
                restarts = [f"setval('\"{name}\"', 1, false)" for name in moved]
                if restarts:
                    conn.execute(text("SELECT " + ", ".join(restarts)))
                return
            # MariaDB's n-gram table is not a model (feedback.grams): TRUNCATE with the foreign
            # keys off does not cascade, and stale grams would name the next test's items.
            grams_filled = conn.execute(
                text(f"SELECT EXISTS (SELECT 1 FROM `{grams.TABLE}`)")
            ).scalar()
            moved = conn.execute(
                text(
                    "SELECT TABLE_NAME FROM information_schema.TABLES "
                    "WHERE TABLE_SCHEMA = DATABASE() AND AUTO_INCREMENT > 1"
                )
            ).scalars()
            names = set(tables) | set(moved) | ({grams.TABLE} if grams_filled else set())
            if not names:
                return
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
            for table in sorted(names):
                conn.execute(text(f"TRUNCATE TABLE `{table}`"))
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))

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
