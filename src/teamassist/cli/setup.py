"""``teamassist init``: a workspace, its first team and its first admin, from nothing.

Interactive by default (Typer prompts for what is missing); ``--no-input`` asks nothing and
refuses when something is missing, for scripts. The admin's password comes from
``TEAMASSIST_ADMIN_PASSWORD`` or is asked twice; it is never a command-line argument (it would
stay in the shell history and the process list).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from teamassist.cli.app import app, build, fail, load, refusals, require_schema

if TYPE_CHECKING:
    from teamassist.config import Settings

PASSWORD_ENV = "TEAMASSIST_ADMIN_PASSWORD"


@app.command("init")
def init(
    workspace: Annotated[
        str | None, typer.Option(help="workspace name: your community or company")
    ] = None,
    workspace_key: Annotated[
        str | None, typer.Option(help="workspace key for scripts (default: from the name)")
    ] = None,
    team: Annotated[str | None, typer.Option(help="the first team's name")] = None,
    timezone: Annotated[
        str | None, typer.Option(help="the team's time zone (default: default_timezone)")
    ] = None,
    admin_handle: Annotated[
        str | None, typer.Option(help="the first admin's handle (sign-in name, @mention)")
    ] = None,
    admin_name: Annotated[
        str | None, typer.Option(help="the first admin's display name (default: the handle)")
    ] = None,
    admin_platform: Annotated[
        str | None, typer.Option(help="make a platform user the first admin: qq, feishu, wecom")
    ] = None,
    admin_user_id: Annotated[
        str | None, typer.Option(help="that user's id on the platform (QQ openid, Feishu open_id)")
    ] = None,
    admin_tenant: Annotated[
        str, typer.Option(help="the guild / tenant the user id belongs to, where ids are scoped")
    ] = "",
    no_input: Annotated[
        bool, typer.Option("--no-input", help="ask nothing; refuse when something is missing")
    ] = False,
) -> None:
    """Create a workspace, its first team and its first admin; then say what to do next."""
    from teamassist.i18n import t

    settings = load()
    require_schema(settings)  # before asking anything: nothing to do without the schema

    def ask(value: str | None, option: str, prompt_key: str, default: str | None = None) -> str:
        if value is not None:
            return value
        if no_input:
            if default is not None:
                return default
            fail(t("setup.error.missing", option=option), code=2)
        answer: str = typer.prompt(t(prompt_key), default=default)
        return answer

    if not no_input:
        typer.secho(t("setup.init.title"), bold=True)
    workspace_name = ask(workspace, "--workspace", "setup.init.ask_workspace")
    team_name = ask(team, "--team", "setup.init.ask_team")
    zone = ask(timezone, "--timezone", "setup.init.ask_timezone", settings.default_timezone)
    handle = ask(admin_handle, "--admin-handle", "setup.init.ask_handle")
    display = ask(admin_name, "--admin-name", "setup.init.ask_name", handle)
    password = _password(no_input, platform_admin=admin_platform is not None)
    _found(
        settings,
        workspace_name=workspace_name,
        workspace_key=workspace_key,
        team_name=team_name,
        zone=zone,
        handle=handle,
        display=display,
        password=password,
        admin_platform=admin_platform,
        admin_user_id=admin_user_id,
        admin_tenant=admin_tenant,
    )


def _password(no_input: bool, *, platform_admin: bool) -> str | None:
    """The admin's password: the environment's, else asked twice (optional beside a platform
    identity); checked before anything is written."""
    from teamassist.i18n import t
    from teamassist.team.accounts import check_password

    password = os.environ.get(PASSWORD_ENV)
    if password is None and not no_input:
        password = typer.prompt(
            t("setup.init.ask_password"),
            hide_input=True,
            confirmation_prompt=t("setup.init.ask_password_again"),
            default="" if platform_admin else None,
            show_default=False,
        )
    if not password:
        if platform_admin:
            return None  # the platform identity is the admin's way in
        fail(t("setup.error.no_password"), code=2)
    with refusals():
        check_password(password)
    return password


def _found(
    settings: Settings,
    *,
    workspace_name: str,
    workspace_key: str | None,
    team_name: str,
    zone: str,
    handle: str,
    display: str,
    password: str | None,
    admin_platform: str | None,
    admin_user_id: str | None,
    admin_tenant: str,
) -> None:
    from sqlalchemy.orm import Session

    from teamassist.database import run_transaction
    from teamassist.http.auth import hash_password, install_hash_cost
    from teamassist.i18n import t
    from teamassist.team.workspaces import Founding, found

    founding = Founding(
        workspace_name=workspace_name,
        workspace_key=workspace_key,
        team_name=team_name,
        timezone=zone,
        admin_handle=handle,
        admin_name=display,
        admin_platform=admin_platform,
        admin_user_id=admin_user_id,
        admin_tenant=admin_tenant,
    )
    install_hash_cost(settings.web.password_hash)  # no runtime is built here
    with refusals():  # a cost this host cannot hash at: one line (core.error.hash_failed)
        password_hash = hash_password(password) if password is not None else None

    def unit(session: Session) -> dict[str, str]:
        done = found(session, founding, password_hash=password_hash)
        return {
            "workspace": done.workspace.name,
            "ws": done.workspace.key,
            "team": done.team.name,
            "timezone": done.team.timezone,
            "handle": done.admin.handle,
        }

    runtime = build(settings)
    try:
        # Two `init`s at once on PostgreSQL or MariaDB both find the name free; the loser's
        # insert hits the unique key, and run_transaction runs its unit again, which then
        # refuses ("already exists") like any other refusal: one line, exit code 1.
        with refusals():
            summary = run_transaction(runtime.factory, unit)
    finally:
        runtime.close()
    typer.secho(t("setup.init.done", **summary), fg="green")
    typer.echo(t("setup.init.next", url=settings.web.public_url, handle=summary["handle"]))
