"""``teamassist import``: bring another system's data into a workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from teamassist.cli.app import DEMO_WORKSPACE, build, import_app


@import_app.command("bot-onduty")
def import_bot_onduty(
    source: Annotated[
        str,
        typer.Option(
            "--from",
            envvar="TEAMASSIST_IMPORT_FROM",
            help="the 值班小助理 database: mysql://user:pw@host/db (or TEAMASSIST_IMPORT_FROM)",
        ),
    ],
    workspace: Annotated[
        str, typer.Option(help="workspace key (created if missing)")
    ] = DEMO_WORKSPACE,
    team: Annotated[
        str,
        typer.Option(
            help="a team of the workspace (key, name or #id); in a new workspace, its first "
            "team's name"
        ),
    ] = "community",
    guild: Annotated[
        str, typer.Option(help="QQ guild id the bot served (people's identities live in it)")
    ] = "",
) -> None:
    """Import people, rotations, sign-ins and feedback from a bot-onduty MySQL database."""
    from sqlalchemy.exc import SQLAlchemyError

    from teamassist.database import transaction
    from teamassist.exceptions import DomainError
    from teamassist.i18n import t
    from teamassist.importers import bot_onduty

    try:
        snapshot = bot_onduty.read_source(source)
    except bot_onduty.ImportFailed as exc:
        typer.secho(t("importer.failed", reason=exc), fg="red", err=True)
        raise typer.Exit(1) from exc
    runtime = build()
    try:
        with transaction(runtime.factory) as session:
            report = bot_onduty.import_snapshot(
                session,
                snapshot,
                workspace_key=workspace,
                team_key=team,
                guild=guild,
                now=runtime.clock(),
                timezone=runtime.settings.default_timezone,
            )
    except (bot_onduty.ImportFailed, DomainError, SQLAlchemyError) as exc:
        if isinstance(exc, DomainError):
            reason = exc.message()
        elif isinstance(exc, SQLAlchemyError):  # e.g. the schema is missing: `db upgrade`
            reason = t("importer.error.target", reason=str(exc).splitlines()[0])
        else:
            reason = str(exc)
        typer.secho(t("importer.failed", reason=reason), fg="red", err=True)
        raise typer.Exit(1) from exc
    finally:
        runtime.close()
    for line in report.lines():
        typer.echo(line)
    typer.echo(t("importer.done"))
