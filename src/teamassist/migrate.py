"""Run Alembic from code: ``teamassist db upgrade`` and the tests use this.

The scripts live in each domain (``<domain>/migrations/<key>_000N_*.py``, one Alembic branch per
domain key); ``env.py`` and the template stay in ``teamassist/migrations``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from teamassist import bootstrap
from teamassist.database import normalise_url
from teamassist.domain import Domain


def alembic_config(url: str, domains: Sequence[Domain] | None = None) -> Config:
    """An Alembic config over every migrations folder of ``domains`` (default: the bootstrap's)."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("teamassist") / "migrations"))
    folders = bootstrap.migration_folders(domains)
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations", os.pathsep.join(str(f).replace("%", "%%") for f in folders)
    )
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(
    url: str,
    *,
    engine: Engine | None = None,
    revision: str = "heads",
    domains: Sequence[Domain] | None = None,
    connect_timeout: float = 0.0,
) -> None:
    """Bring the database to the newest schema of every domain branch.

    Without ``engine``, a server is given ``connect_timeout`` seconds to answer (0: the
    driver's default); no statement timeout, since a migration may rewrite a large table.
    """
    config = alembic_config(url, domains)
    config.attributes["connect_timeout"] = connect_timeout
    if engine is not None:
        # Not begun here: env.py begins the transaction once SQLite's foreign keys are off.
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    else:
        command.upgrade(config, revision)


def unknown_revisions(
    url: str, *, domains: Sequence[Domain] | None = None, connect_timeout: float = 0.0
) -> list[str]:
    """The revisions in the database's ``alembic_version`` that no migration of this release
    knows, sorted: a newer release migrated the database (an operator's rollback). Alembic's
    own answer to them is a traceback ending in "Can't locate revision identified by …"
    (tester s29 F-5). Empty for a database without the table."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect, text

    from teamassist.database import make_engine

    engine = make_engine(url, connect_timeout=connect_timeout)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return []
            found = set(
                connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            )
    finally:
        engine.dispose()
    return sorted(
        found - known_revisions(ScriptDirectory.from_config(alembic_config(url, domains)))
    )


def known_revisions(scripts: object) -> set[str]:
    """Every revision of an Alembic ``ScriptDirectory``."""
    return {script.revision for script in scripts.walk_revisions()}  # type: ignore[attr-defined]


def downgrade(url: str, revision: str = "base", domains: Sequence[Domain] | None = None) -> None:
    """Undo migrations (tests prove every migration is reversible)."""
    command.downgrade(alembic_config(url, domains), revision)
