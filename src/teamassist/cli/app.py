"""The Typer app, its command groups, and what every command shares: settings, the runtime,
the workspace a command acts in, and how a refusal is printed (from :mod:`teamassist.launch`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

# What every command shares with `serve`, which starts without Typer (teamassist.launch): the
# command modules import these names from here.
from teamassist.launch.build import build
from teamassist.launch.refusal import fail
from teamassist.launch.schema import has_schema, reaching, require_schema, sqlite_path, where
from teamassist.launch.settings import load

__all__ = [
    "DEMO_WORKSPACE",
    "TeamOption",
    "app",
    "build",
    "fail",
    "has_schema",
    "load",
    "reaching",
    "refusals",
    "require_schema",
    "sqlite_path",
    "where",
]

# The demo's key, spelt here for the options' defaults (importing ``teamassist.demo`` would load
# the HTTP kit); a test keeps it equal to ``demo.DEMO_KEY``.
DEMO_WORKSPACE = "demo"

# Every command's --team, read by team.workspaces.pick_team (key, name or id; `#3` the id
# alone); each command's help says what no --team means for it.
TeamOption = Annotated[str | None, typer.Option("--team", help="team key, name or #id")]


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


@contextmanager
def refusals() -> Iterator[None]:
    """Turn a domain refusal inside the block into its catalogue message and exit code 1."""
    from teamassist.exceptions import DomainError

    try:
        yield
    except DomainError as exc:
        fail(exc.message())
