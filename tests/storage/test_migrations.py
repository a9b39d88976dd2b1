"""The Alembic migrations create exactly what the models describe, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from teamassist.bootstrap import import_models, include_name
from teamassist.database import Base, make_engine


def test_migrations_match_models(db_url: str) -> None:
    import_models()
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": include_name})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    # Type-only differences of our UTCDateTime decorator are not schema drift.
    real = [d for d in diff if not (isinstance(d, list) and d and d[0][0] == "modify_type")]
    assert real == []


def test_constraint_names_fit_mysql() -> None:
    import_models()
    names = [c.name for t in Base.metadata.tables.values() for c in t.constraints if c.name]
    names += [i.name for t in Base.metadata.tables.values() for i in t.indexes if i.name]
    too_long = [str(n) for n in names if len(str(n)) > 64]
    assert too_long == []


def test_migrations_are_reversible(tmp_path: object) -> None:
    from pathlib import Path

    from sqlalchemy import inspect

    from teamassist import migrate

    url = f"sqlite:///{Path(str(tmp_path)) / 'rev.db'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    engine = make_engine(url)
    try:
        leftover = set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    assert leftover == set()
    migrate.upgrade(url)
