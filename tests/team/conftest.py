"""Fixtures of the team tests: an empty database of each backend for the migration tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from teamassist.database import normalise_url
from tests.support.databases import BACKENDS, require_backend, server_url


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own, with no tables (this test migrates it step by step)."""
    backend: str = request.param
    require_backend(backend)
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    admin_url = normalise_url(server_url(backend) or "")
    name = f"ta_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    extra = " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" if backend == "mysql" else ""
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}{extra}"))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()
