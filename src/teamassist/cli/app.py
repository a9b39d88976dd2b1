"""The Typer app, its command groups, and what every command shares: settings, the runtime,
the workspace a command acts in, and how a refusal is printed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from teamassist.clock import Clock
    from teamassist.config import Settings
    from teamassist.runtime import Runtime

# The demo's key, spelt here for the options' defaults (importing ``teamassist.demo`` would load
# the HTTP kit); a test keeps it equal to ``demo.DEMO_KEY``.
DEMO_WORKSPACE = "demo"


def _group(help_: str) -> typer.Typer:
    # Plain help text: Rich's formatter (and the Markdown parser it loads) took 3 s of a 6 s
    # `teamassist --help` on the shared machine.
    return typer.Typer(help=help_, no_args_is_help=True, rich_markup_mode=None)


app = typer.Typer(
    help="Team Assistant (团队助理)",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
db_app = _group("Database schema")
demo_app = _group("Demo workspace")
config_app = _group("Configuration")
scheduler_app = _group("Scheduled jobs")
admin_app = _group("Dashboard accounts")
import_app = _group("Import data from other systems")
workspace_app = _group("Workspaces: list, export, delete")
team_app = _group("Teams of a workspace")
member_app = _group("Members of a workspace")
bind_app = _group("Bind QQ guilds/groups and Feishu tenants to workspaces; WeCom robots")
okr_app = _group("OKR desk: export a cycle, import OKRs from a sheet")
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(config_app, name="config")
app.add_typer(scheduler_app, name="scheduler")
app.add_typer(admin_app, name="admin")
app.add_typer(import_app, name="import")
app.add_typer(workspace_app, name="workspace")
app.add_typer(team_app, name="team")
app.add_typer(member_app, name="member")
app.add_typer(bind_app, name="bind")
app.add_typer(okr_app, name="okr")


def load() -> Settings:
    """The settings, or a plain message and exit code 2 when they do not validate."""
    from pydantic import ValidationError

    from teamassist.config import config_path, load_settings, read_toml, toml_problem
    from teamassist.settings_errors import explain

    broken = toml_problem()
    if broken is not None:
        typer.secho(f"配置有误 / configuration error:\n{broken}", fg="red", err=True)
        raise typer.Exit(2)
    try:
        settings = load_settings()
    except ValidationError as exc:
        typer.secho(
            f"配置有误 / configuration error:\n{explain(exc, config_path())}", fg="red", err=True
        )
        raise typer.Exit(2) from exc
    except Exception as exc:  # e.g. a TOML file that does not parse: its message names the line
        typer.secho(f"配置有误 / configuration error:\n{exc}", fg="red", err=True)
        raise typer.Exit(2) from exc
    _, problems = read_toml()
    for problem in problems:  # typos in the file, secrets it must not hold: said, not fatal
        typer.secho(f"warning: {problem}", fg="yellow", err=True)
    return settings


def build(settings: Settings | None = None, clock: Clock | None = None) -> Runtime:
    """The runtime of the settings (loaded when not given); a database without the schema is
    refused with "run db upgrade" before anything touches it. ``clock``: a pinned one."""
    from teamassist.bootstrap import build_runtime
    from teamassist.clock import clock_from_env, pin_process

    settings = settings or load()
    require_schema(settings)
    if clock is None and (clock := clock_from_env()) is not None:
        pin_process(clock)  # a multi-process test's shared clock (teamassist.clock.FileClock)
    return build_runtime(settings) if clock is None else build_runtime(settings, clock=clock)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a refusal on stderr and stop with ``code``."""
    typer.secho(message, fg="red", err=True)
    raise typer.Exit(code)


@contextmanager
def refusals() -> Iterator[None]:
    """Turn a domain refusal inside the block into its catalogue message and exit code 1."""
    from teamassist.exceptions import DomainError

    try:
        yield
    except DomainError as exc:
        fail(exc.message())


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
    """Stop with the catalogue's "run db upgrade" when the database has no schema yet, and with
    one line naming the setting to check (exit code 3) when it cannot be reached: ``serve``,
    ``worker``, ``beat`` and ``run`` start here, and a traceback helps no operator."""
    from teamassist.i18n import t

    database = settings.database
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
