"""Alembic environment: migrations run from the package, against the configured database."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from teamassist import bootstrap
from teamassist.bootstrap import include_name
from teamassist.database import Base, make_engine
from teamassist.migrations.foreign_keys import (
    check_foreign_keys,
    dangling,
    sqlite_foreign_keys_off,
)

bootstrap.import_models()
config = context.config
target_metadata = Base.metadata


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_name=include_name,
        # One transaction for the whole upgrade on SQLite too (Alembic's default there is one per
        # migration, for pysqlite's old implicit commits; our engine emits BEGIN itself, so DDL
        # is transactional): the foreign key check below can still roll the upgrade back, and
        # the connection leaves no transaction open in which turning the keys on again would
        # silently do nothing.
        transactional_ddl=True if connection.dialect.name == "sqlite" else None,
        # Callables run after each migration, inside its transaction (tests fill the tables a
        # migration created before the next one runs: tests/storage/test_upgrade_keeps_rows.py).
        on_version_apply=config.attributes.get("on_version_apply", ()),
    )
    # SQLite: a batch table rebuild must not cascade into the rows that reference the table.
    with sqlite_foreign_keys_off(connection), context.begin_transaction():
        before = dangling(connection)
        context.run_migrations()
        check_foreign_keys(connection, before)


def run_migrations_online() -> None:
    """Run migrations on a live connection (the only mode we use)."""
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _migrate(connectable)
        return
    engine = make_engine(
        config.get_main_option("sqlalchemy.url") or "",
        connect_timeout=float(config.attributes.get("connect_timeout", 0.0)),
    )
    with engine.connect() as connection:
        _migrate(connection)
    engine.dispose()


run_migrations_online()
