"""The ``teamassist`` command line."""

from __future__ import annotations

import gc
import logging
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from teamassist.config import Settings, load_settings, read_toml

if TYPE_CHECKING:
    from teamassist.runtime import Runtime

# Each command imports what it uses: `serve` loads neither Alembic nor the demo data nor the
# importers (start-up time and resident memory, issue 9). The demo's key is spelt here for the
# options' defaults; a test keeps it equal to ``demo.DEMO_KEY``.
DEMO_WORKSPACE = "demo"

app = typer.Typer(help="Team Assistant (团队助理)", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema", no_args_is_help=True)
demo_app = typer.Typer(help="Demo workspace", no_args_is_help=True)
config_app = typer.Typer(help="Configuration", no_args_is_help=True)
scheduler_app = typer.Typer(help="Scheduled jobs", no_args_is_help=True)
admin_app = typer.Typer(help="Dashboard accounts", no_args_is_help=True)
import_app = typer.Typer(help="Import data from other systems", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(config_app, name="config")
app.add_typer(scheduler_app, name="scheduler")
app.add_typer(admin_app, name="admin")
app.add_typer(import_app, name="import")


def _settings() -> Settings:
    try:
        return load_settings()
    except Exception as exc:  # pydantic's message names the bad key; show it plainly
        typer.secho(f"配置有误 / configuration error:\n{exc}", fg="red", err=True)
        raise typer.Exit(2) from exc


def _runtime() -> Runtime:
    from teamassist.bootstrap import build_runtime

    return build_runtime(_settings())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration (creates the database when it does not exist)."""
    from teamassist import migrate

    settings = _settings()
    migrate.upgrade(settings.database.url)
    typer.echo(f"database is up to date: {settings.database.url.split('@')[-1]}")


@demo_app.command("load")
def demo_load(
    if_empty: Annotated[bool, typer.Option(help="do nothing when the demo exists")] = True,
) -> None:
    """Load the demo workspace (a team, members, channels, rotations, feedback)."""
    from teamassist import demo
    from teamassist.database import transaction

    runtime = _runtime()
    try:
        with transaction(runtime.factory) as session:
            created = demo.load(
                session,
                now=runtime.clock(),
                domains=runtime.domains,
                timezone=runtime.settings.default_timezone,
            )
        typer.echo("demo workspace loaded" if created else "demo workspace already present")
    finally:
        runtime.close()


@config_app.command("check")
def config_check() -> None:
    """Say in plain words what is missing or wrong in the configuration."""
    _, problems = read_toml()
    warnings: list[str] = []
    try:
        settings = load_settings()
    except Exception as exc:
        problems.append(f"settings do not validate: {exc}")
        settings = None
    if settings is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(settings.default_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"default_timezone {settings.default_timezone!r} is not a time zone")
        for platform in (settings.qq, settings.feishu, settings.wecom):
            problems.extend(platform.missing())
        if settings.web.secret_key is None and not settings.web.demo_mode:
            warnings.append(
                "TEAMASSIST_WEB__SECRET_KEY is not set: dashboard sign-ins end on restart"
            )
        exposure = settings.web.demo_exposure()
        if exposure is not None:
            problems.append(exposure)
        elif settings.web.demo_mode and settings.web.allow_public_demo:
            warnings.append(f"demo_mode serves every visitor as admin on {settings.web.host}")
        if settings.web.public_url_derived:
            warnings.append(
                f"web.public_url is not set: links and calendar feeds use {settings.web.public_url}"
                " (derived from web.host/web.port and `serve --host/--port`); set it to the "
                "address people reach"
            )
        problems.extend(_check_database(settings))
        enabled = [
            n
            for n, p in (
                ("qq", settings.qq),
                ("feishu", settings.feishu),
                ("wecom", settings.wecom),
            )
            if p.enabled
        ]
        typer.echo(f"platforms enabled: {', '.join(enabled) or 'none (web chat only)'}")
    for warning in warnings:
        typer.secho(f"warning: {warning}", fg="yellow")
    for problem in problems:
        typer.secho(f"problem: {problem}", fg="red")
    if problems:
        raise typer.Exit(1)
    typer.secho("configuration OK", fg="green")


def _check_database(settings: Settings) -> list[str]:
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import SQLAlchemyError

    from teamassist.database import make_engine

    engine = make_engine(settings.database.url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            if not inspect(connection).has_table("alembic_version"):
                return ["the database has no schema yet: run `teamassist db upgrade`"]
    except SQLAlchemyError as exc:
        return [
            f"cannot reach the database ({settings.database.url.split('@')[-1]}): "
            f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"
        ]
    finally:
        engine.dispose()
    return []


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="listen address")] = None,
    port: Annotated[int | None, typer.Option(help="listen port")] = None,
) -> None:
    """Serve the dashboard, web chat, REST API and platform webhooks."""
    import uvicorn

    from teamassist.bootstrap import build_runtime
    from teamassist.web.app import create_app

    settings = _settings()
    settings.web.listen(host, port)  # before the runtime: chat replies carry the public URL
    exposure = settings.web.demo_exposure()
    if exposure is not None:
        typer.secho(f"refusing to serve: {exposure}", fg="red", err=True)
        raise typer.Exit(2)
    runtime = build_runtime(settings)
    logging.basicConfig(level=settings.log_level)
    web_app = create_app(runtime)
    # What is loaded by now lives as long as the process; taking it out of the collector's
    # generations removes most of the GC pauses seen in the benchmarks' p99.
    gc.collect()
    gc.freeze()
    uvicorn.run(
        web_app,
        host=settings.web.host,
        port=settings.web.port,
        log_level=settings.log_level.lower(),
    )


@app.command("chat")
def chat(
    member: Annotated[str, typer.Option("--as", help="the member handle to speak as")],
    message: Annotated[str | None, typer.Argument(help="one message; omit for a console")] = None,
    workspace: Annotated[str, typer.Option(help="workspace key")] = DEMO_WORKSPACE,
) -> None:
    """Send a message as a member and print the reply (or chat interactively)."""
    from teamassist.chat.render import to_plain
    from teamassist.chat.service import send_as
    from teamassist.database import transaction
    from teamassist.enums import Platform
    from teamassist.exceptions import DomainError
    from teamassist.http.auth import Principal
    from teamassist.team import service as team_service

    runtime = _runtime()
    try:
        with transaction(runtime.factory) as session:
            ws = team_service.get_workspace_by_key(session, key=workspace)
            if ws is None:
                typer.secho(
                    f"no workspace {workspace!r}: run `teamassist demo load` first",
                    fg="red",
                    err=True,
                )
                raise typer.Exit(1)
            principal = Principal(workspace=ws, member=None, username="cli")

        def say(text_: str) -> None:
            try:
                result = send_as(
                    runtime.dispatcher,
                    principal=principal,
                    handle=member,
                    text=text_,
                    platform=Platform.CONSOLE,
                )
            except DomainError as exc:
                typer.secho(exc.message(), fg="red", err=True)
                raise typer.Exit(1) from exc
            typer.echo(to_plain(result.reply) if result.reply else "（没有回复）")
            _deliver_quietly(runtime)

        if message is not None:
            say(message)
            return
        typer.echo(f"以 {member} 的身份和小助理对话；输入 /帮助 查看指令，Ctrl-D 退出。")
        for line in sys.stdin if not sys.stdin.isatty() else iter(lambda: input("> "), None):
            if line.strip():
                say(line.rstrip("\n"))
    except (EOFError, KeyboardInterrupt):
        typer.echo("")
    finally:
        runtime.close()


def _deliver_quietly(runtime: Runtime) -> None:
    """Send what the command queued; a problem here is told in one line, not as a failure.

    The command itself has committed by now; whatever is not sent stays queued for the server's
    worker or the next ``scheduler tick``.
    """
    try:
        runtime.deliver()
    except Exception as exc:
        from teamassist.i18n import t

        first = (str(exc).splitlines() or [""])[0][:200]
        error = f"{type(exc).__name__}: {first}"
        typer.secho(t("core.delivery_pending", error=error), fg="yellow", err=True)


@scheduler_app.command("tick")
def scheduler_tick() -> None:
    """Run every due job once, then deliver queued notices (for cron or Celery beat)."""
    runtime = _runtime()
    try:
        report = runtime.scheduler.tick()
        stats = runtime.deliver()
        typer.echo(
            f"jobs run: {len(report.ran)}, failed: {len(report.failed)}; "
            f"notices sent: {stats.sent}, retrying: {stats.retried}"
        )
    finally:
        runtime.close()


@admin_app.command("password")
def admin_password(
    username: Annotated[str, typer.Argument()] = "admin",
    member: Annotated[str | None, typer.Option(help="link to this member handle")] = None,
    workspace: Annotated[str, typer.Option()] = DEMO_WORKSPACE,
) -> None:
    """Create a dashboard account or change its password (asks for the password)."""
    from teamassist.database import transaction
    from teamassist.http import auth
    from teamassist.team import service as team_service

    password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    runtime = _runtime()
    try:
        with transaction(runtime.factory) as session:
            linked = None
            if member:
                ws = team_service.get_workspace_by_key(session, key=workspace)
                linked = (
                    team_service.get_member_by_handle(session, workspace_id=ws.id, handle=member)
                    if ws
                    else None
                )
                if linked is None:
                    typer.secho(f"no member {member!r}", fg="red", err=True)
                    raise typer.Exit(1)
            auth.set_password(session, username=username, password=password, member=linked)
        typer.echo(f"password set for {username}")
    finally:
        runtime.close()


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
    workspace: Annotated[str, typer.Option(help="workspace key (created if missing)")] = (
        DEMO_WORKSPACE
    ),
    team: Annotated[str, typer.Option(help="team key (created if missing)")] = "community",
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
    runtime = _runtime()
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
