"""Whether the database a start names can be reached and has the schema: a refusal naming what
to do (``db upgrade``, the setting to check) before anything touches it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from teamassist.launch.refusal import fail

if TYPE_CHECKING:
    from teamassist.config import Settings


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other backends and in-memory databases)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def has_schema(url: str, *, connect_timeout: float = 0.0) -> bool:
    """Whether the database has been migrated, checked without creating anything: a SQLite
    file that does not exist is not created (nor its folder), an existing one is opened
    read-only. Connection errors propagate (``config check`` reports them); a server gets
    ``connect_timeout`` seconds (0: the driver's default)."""
    path = sqlite_path(url)
    if path is not None:
        import sqlite3

        if not path.is_file():
            return False
        # Without a write-ahead log beside it the file holds everything: "immutable" reads it
        # without creating the -wal/-shm files a read-only open would leave behind.
        wal = path.with_name(f"{path.name}-wal").exists()
        mode = "mode=ro" if wal else "immutable=1"
        reader = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
        try:
            found = reader.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
        finally:
            reader.close()
        return found is not None
    from sqlalchemy import inspect

    from teamassist.database import make_engine

    engine = make_engine(url, connect_timeout=connect_timeout)
    try:
        with engine.connect() as connection:
            return bool(inspect(connection).has_table("alembic_version"))
    finally:
        engine.dispose()


def require_schema(settings: Settings) -> None:
    """Stop with the catalogue's "run db upgrade" when the database has no schema yet, with
    one line when an SQLite URL names no file or one that cannot be made, and with
    one line naming the setting to check (exit code 3) when it cannot be reached: ``serve``,
    ``worker``, ``beat`` and ``run`` start here, and a traceback helps no operator."""
    from teamassist.i18n import t
    from teamassist.launch.sqlite_file import require_usable

    database = settings.database
    require_usable(database.url)  # else "run db upgrade", which cannot make that file either
    with reaching(settings):
        found = has_schema(database.url, connect_timeout=database.connect_timeout_seconds)
    if not found:
        fail(t("setup.error.no_schema"))


@contextmanager
def reaching(settings: Settings) -> Iterator[None]:
    """Stop with one line naming the setting to check (exit code 3) when the database cannot
    be reached inside the block: refused, unknown host, or silent past
    ``database.connect_timeout_seconds``."""
    import sqlite3

    from sqlalchemy.exc import SQLAlchemyError

    from teamassist.i18n import t

    try:
        yield
    except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
        # The driver's text can carry the password (a DSN echoed back): the kind only.
        kind = type(getattr(exc, "orig", None) or exc).__name__
        fail(t("setup.error.no_database", where=where(settings.database.url), kind=kind), code=3)


def where(url: str) -> str:
    """The database a URL names, without its credentials."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite {parsed.database or ':memory:'}"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.get_backend_name()} {parsed.host or ''}{port}/{parsed.database or ''}"
