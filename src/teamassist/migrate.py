"""Run Alembic from code: ``teamassist db upgrade`` and the tests use this."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from teamassist.database import normalise_url


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("teamassist") / "migrations"))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, *, engine: Engine | None = None, revision: str = "heads") -> None:
    """Bring the database to the newest schema of every domain branch."""
    config = alembic_config(url)
    if engine is not None:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    else:
        command.upgrade(config, revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Undo migrations (tests prove every migration is reversible)."""
    command.downgrade(alembic_config(url), revision)
