"""A migration run over the rows an older install could hold: the database is upgraded to the
revision just before it, the test writes those rows as they were possible then, and the
upgrade to the head runs with the migration's own log lines caught. The name-key migrations
(``team_0004`` handles and team keys, ``team_0008`` channel names, ``team_0009`` account names)
all rename what folds alike instead of refusing the upgrade, each rename a warning; their
tests share this. Each backend (``empty_url``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.exc import IntegrityError

from teamassist import migrate
from teamassist.database import make_engine


def insert(conn: sa.Connection, table: str, **values: object) -> None:
    """One row of ``table`` by its column names (quoted as each backend quotes them)."""
    conn.execute(sa.insert(sa.table(table, *(sa.column(k) for k in values))).values(**values))


class OlderInstall:
    """A database at the revision before ``migration``: write rows in ``engine.begin()`` with
    :func:`insert`, run :meth:`upgrade`, read with :meth:`rows`."""

    def __init__(self, engine: sa.Engine, url: str, migration: str) -> None:
        self.engine = engine
        self.url = url
        self.migration = migration

    @property
    def mariadb(self) -> bool:
        return self.engine.dialect.name in {"mysql", "mariadb"}

    def upgrade(self, caplog: pytest.LogCaptureFixture) -> list[str]:
        """Upgrade to the head; the warnings ``migration`` logged (its logger
        ``teamassist.migrations.<migration>``), only its own: the first upgrade (before) logs
        alembic's INFO lines into caplog whenever an earlier test left the root logger at
        INFO."""
        logger = f"teamassist.migrations.{self.migration}"
        with caplog.at_level(logging.WARNING, logger=logger):
            migrate.upgrade(self.url)
        return [r.getMessage() for r in caplog.records if r.name == logger]

    def rows(self, query: str) -> list[tuple[object, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(query)).all()]

    def refuses(self, table: str, **values: object) -> None:
        """Inserting this row now breaks a unique key (the one the migration made)."""
        with pytest.raises(IntegrityError), self.engine.begin() as conn:
            insert(conn, table, **values)


@contextmanager
def older_install(url: str, migration: str) -> Iterator[OlderInstall]:
    """``url`` (an empty database) upgraded to the revision before ``migration``."""
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    before = script.get_revision(migration).down_revision
    assert isinstance(before, str), before  # one parent: a name-key migration is no merge
    migrate.upgrade(url, revision=before)
    engine = make_engine(url)
    try:
        yield OlderInstall(engine, url, migration)
    finally:
        engine.dispose()
