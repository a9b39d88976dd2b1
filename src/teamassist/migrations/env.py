"""Alembic environment: migrations run from the package, against the configured database."""

from __future__ import annotations

from alembic import context

from teamassist import bootstrap
from teamassist.bootstrap import include_name
from teamassist.database import Base, make_engine

bootstrap.import_models()
config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations on a live connection (the only mode we use)."""
    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(
            connection=connectable,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(
        config.get_main_option("sqlalchemy.url") or "",
        connect_timeout=float(config.attributes.get("connect_timeout", 0.0)),
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
