"""Test databases: SQLite always; PostgreSQL and MariaDB when `make test` started them.

Each backend is migrated once per session (through Alembic, never create_all); every test then
starts from empty tables. On CI (``CI=true``) a missing server is an error, not a skip.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from teamassist import migrate
from teamassist.bootstrap import import_models
from teamassist.database import Base, make_engine, normalise_url
from teamassist.feedback import grams

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
        tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
        if self.backend == "mysql":
            # MariaDB's n-gram table is not a model (feedback.grams): TRUNCATE with the foreign
            # keys off does not cascade, and stale grams would name the next test's items.
            tables.append(grams.TABLE)
        with engine.begin() as conn:
            if self.backend == "postgresql":
                conn.execute(
                    text(
                        "TRUNCATE "
                        + ", ".join(f'"{t}"' for t in tables)
                        + " RESTART IDENTITY CASCADE"
                    )
                )
            else:
                conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
                for table in tables:
                    conn.execute(text(f"TRUNCATE TABLE `{table}`"))
                conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))

    def drop(self) -> None:
        """Remove the session's database."""
        if self._template is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            return
        self._engine.dispose()
        admin = create_engine(normalise_url(self._admin_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {self._name}"))
        admin.dispose()
