"""Commands that run the install: schema, demo, configuration check, server, chat, scheduler,
dashboard accounts."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from teamassist.cli import pinned
from teamassist.cli.app import (
    admin_app,
    app,
    build,
    config_app,
    db_app,
    demo_app,
    fail,
    has_schema,
    load,
    reaching,
    refusals,
    scheduler_app,
    where,
)
from teamassist.launch import server

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from teamassist.config import Settings
    from teamassist.runtime import Runtime
    from teamassist.team.models import Member


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration (creates the database when it does not exist)."""
    from teamassist import migrate
    from teamassist.i18n import t
    from teamassist.launch.sqlite_file import require_usable

    settings = load()
    database = settings.database
    # An SQLite file that cannot be made (its folder) or is in memory: one line, not the
    # traceback of the engine's mkdir, nor "created" for a schema gone at exit.
    require_usable(database.url)
    # A server that is down or silent: one line and exit 3 within the connect timeout, never
    # a hang nor a traceback (errors of the migrations themselves still show theirs).
    with reaching(settings):
        existed = has_schema(database.url, connect_timeout=database.connect_timeout_seconds)
        newer = existed and migrate.unknown_revisions(
            database.url, connect_timeout=database.connect_timeout_seconds
        )
    if newer:
        # Alembic's answer is a 281-line traceback (tester s29 F-5); nothing was changed
        fail(t("setup.error.newer_schema", revisions="、".join(newer)), code=3)
    migrate.upgrade(database.url, connect_timeout=database.connect_timeout_seconds)
    # A first upgrade creates the schema: saying "up to date" then read as "nothing was done".
    said = "setup.db_upgraded" if existed else "setup.db_created"
    typer.echo(t(said, where=where(settings.database.url)))


@demo_app.command("load")
def demo_load(
    if_empty: Annotated[bool, typer.Option(help="do nothing when the demo exists")] = True,
    force: Annotated[
        bool, typer.Option("--force", help="load it even when real workspaces exist")
    ] = False,
) -> None:
    """Load the demo workspace (a team, members, channels, rotations, feedback).

    Refused (exit 1, nothing loaded) when the install already holds another workspace, unless
    ``--force``: on a real install it added members and a dashboard account ``admin`` in
    silence (tester s25 F-B20). The account ``admin`` gets the demo password ``admin`` only in
    demo mode (``web.demo_mode``, as ``make run`` sets it); otherwise no usable password, and
    the output says so and how to set one."""
    from sqlalchemy import select

    from teamassist import demo
    from teamassist.database import transaction
    from teamassist.i18n import t
    from teamassist.team.models import Workspace

    runtime = build()
    try:
        with transaction(runtime.factory) as session:
            others = session.scalars(
                select(Workspace.name).where(Workspace.key != demo.DEMO_KEY).order_by(Workspace.id)
            ).all()
            if others and not force:
                names = "、".join(f"「{n}」" for n in others[:3]) + ("…" if len(others) > 3 else "")
                fail(t("setup.demo.refused_real", names=names))
            created = demo.load(
                session,
                now=runtime.clock(),
                domains=runtime.domains,
                timezone=runtime.settings.default_timezone,
                password=demo.DEMO_PASSWORD if runtime.settings.web.demo_mode else None,
            )
        typer.echo(t("setup.demo.loaded" if created else "setup.demo.present"))
        if created and not runtime.settings.web.demo_mode:
            typer.echo(t("setup.demo.password_off"))
    finally:
        runtime.close()


@config_app.command("check")
def config_check() -> None:
    """Say in plain words what is missing or wrong in the configuration (changes nothing)."""
    from pydantic import ValidationError

    from teamassist.config import config_path, load_settings, missing_config, read_toml
    from teamassist.settings_errors import explain

    _, problems = read_toml()
    missing = missing_config()
    warnings: list[str] = [missing] if missing else []
    try:
        settings = load_settings()
    except ValidationError as exc:
        problems.append(f"设置无效 / settings do not validate:\n{explain(exc, config_path())}")
        settings = None
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
        warnings.extend(settings.qq.deprecated())
        warnings.extend(settings.web.password_hash.unreasonable())
        if settings.web.secret_key is None and settings.scale_out.redis_url:
            # Each replica would sign cookies with its own random key: a sign-in would hold
            # only on the replica that made it.
            problems.append(
                "TEAMASSIST_WEB__SECRET_KEY is not set: every web replica needs the same one"
            )
        elif settings.web.secret_key is None and not settings.web.demo_mode:
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
        scale_problems, scale_warnings = _check_scale_out(settings)
        problems.extend(scale_problems)
        warnings.extend(scale_warnings)
        if settings.feishu.enabled and not settings.feishu.missing():
            from teamassist.adapters.feishu import scopes

            # the app's scopes, asked of Feishu (unreachable: only a warning)
            scope_problems, scope_warnings = scopes.check(settings.feishu)
            problems.extend(scope_problems)
            warnings.extend(scope_warnings)
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


@app.command("doctor")
def doctor() -> None:
    """List rows stored before today's rules: swaps and covers of one shift (before the
    rotation lock), teams of one name, daily jobs set to run more than twelve times a day,
    rotation and channel names with line breaks. Read only; exit 1 when something is
    listed."""
    from teamassist.database import transaction
    from teamassist.events import StoredDoubles, ask
    from teamassist.i18n import t

    runtime = build()
    try:
        with transaction(runtime.factory, read_only=True) as session:
            doubles = [double for answer in ask(session, StoredDoubles()) for double in answer]
    finally:
        runtime.close()
    if not doubles:
        typer.echo(t("core.doctor.none"))
        return
    typer.echo(t("core.doctor.found", count=len(doubles)))
    for double in doubles:
        typer.echo(f"- {double.line}")
    raise typer.Exit(1)


def _check_scale_out(settings: Settings) -> tuple[list[str], list[str]]:
    """Scale-out mode's problems (what ``serve``, ``worker`` and ``beat`` would refuse) and,
    as a warning, a broker that does not answer now (it may be started later)."""
    from teamassist.workers import mode

    if not mode.enabled(settings):
        return [], []
    try:
        mode.check(settings)
    except mode.ScaleOutRefused as exc:
        return [str(exc)], []
    quick = settings.model_copy(
        update={"scale_out": settings.scale_out.model_copy(update={"broker_wait_seconds": 0})}
    )
    try:
        mode.reach_broker(quick)
    except mode.BrokerUnreachable as exc:
        return [], [str(exc)]
    return [], []


def _check_database(settings: Settings) -> list[str]:
    """The database's problems, found without creating anything (no SQLite file or folder)."""
    from sqlalchemy.exc import SQLAlchemyError

    from teamassist.launch import sqlite_file

    database = settings.database
    unusable = sqlite_file.problem(database.url)
    if unusable is not None:  # "run db upgrade" would lead into the same wall
        return [unusable]
    try:
        if not has_schema(database.url, connect_timeout=database.connect_timeout_seconds):
            return ["the database has no schema yet: run `teamassist db upgrade`"]
    except (SQLAlchemyError, OSError) as exc:
        return [
            f"cannot reach the database ({where(settings.database.url)}): "
            f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"
        ]
    return []


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="listen address")] = None,
    port: Annotated[int | None, typer.Option(help="listen port")] = None,
) -> None:
    """Serve the dashboard, web chat, REST API and platform webhooks (with the scheduler and
    delivery in this process, unless [scale_out] hands them to `teamassist worker`)."""
    # The installed script runs a plain `serve` without Typer (teamassist.__main__); this is
    # the same start for `--help`, spellings Typer accepts, and the tests' runner.
    server.serve(host, port)


@app.command("chat")
def chat(
    member: Annotated[str, typer.Option("--as", help="the member handle to speak as")],
    message: Annotated[str | None, typer.Argument(help="one message; omit for a console")] = None,
    workspace: Annotated[
        str | None, typer.Option(help="workspace key (default: the only workspace)")
    ] = None,
    at: Annotated[str | None, typer.Option("--at", help=pinned.AT_HELP)] = None,
) -> None:
    """Send a message as a member and print the reply (or chat interactively)."""
    clock = pinned.frozen(at)
    runtime = build(clock=clock)
    try:
        with pinned.pin(at, clock, runtime.factory, pinned.workspace_zone(workspace)):
            _chat(runtime, member, message, workspace)
    except (EOFError, KeyboardInterrupt):
        typer.echo("")
    finally:
        runtime.close()


def _chat(runtime: Runtime, member: str, message: str | None, workspace: str | None) -> None:
    from teamassist.chat.render import to_plain
    from teamassist.chat.service import send_as
    from teamassist.database import transaction
    from teamassist.enums import Platform
    from teamassist.exceptions import DomainError
    from teamassist.http.auth import Principal
    from teamassist.team import workspaces

    with refusals(), transaction(runtime.factory) as session:
        ws = workspaces.pick_workspace(session, workspace)
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
def scheduler_tick(
    at: Annotated[str | None, typer.Option("--at", help=pinned.AT_HELP)] = None,
) -> None:
    """Run every due job once, then deliver queued notices (for cron or Celery beat).

    With ``--at`` the tick runs as at that instant; the scheduler only looks forward: a job
    already planned for later than ``--at`` waits for that time.
    """
    import gc

    clock = pinned.frozen(at)
    runtime = build(clock=clock)
    gc.freeze()  # as serve does: a 10,000-team tick's full GC passes need not walk the code
    try:
        with pinned.pin(at, clock, runtime.factory, pinned.shared_zone):
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
    workspace: Annotated[
        str | None, typer.Option(help="workspace key (default: the only workspace)")
    ] = None,
) -> None:
    """Create a dashboard account or change its password (asks for the password).

    The name and the password follow init's and ``/setup``'s rule (``team.accounts``): a blank
    name or a short password is refused in one line before anything is written.
    """
    from teamassist.database import transaction
    from teamassist.exceptions import NotFound
    from teamassist.http import auth
    from teamassist.team import accounts, workspaces
    from teamassist.team import service as team_service

    with refusals():
        accounts.check_username(username)

    def target(session: Session) -> Member | None:
        """The member to link (None: none named), every refusal said before a password is
        asked for (tester s27 A-2: asked twice, then refused)."""
        ws = workspaces.pick_workspace(session, workspace) if member or workspace else None
        linked = None
        if member and ws is not None:
            linked = team_service.get_member_by_handle(session, workspace_id=ws.id, handle=member)
            if linked is None:
                raise NotFound("setup.error.no_member", handle=member, ws=ws.key)
        auth.check_password_target(
            session, username=username, member=linked, workspace_id=ws.id if ws else None
        )
        return linked

    runtime = build()
    try:
        with refusals(), runtime.factory() as session:
            target(session)
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
        with refusals():
            accounts.check_password(password)
        with refusals(), transaction(runtime.factory) as session:
            linked = target(session)
            created = auth.set_password(
                session, username=username, password=password, member=linked
            )
        # Say which it was: a typo used to make a new account in silence (tester s24 F10); one
        # with no member is the workspace owner, with every right.
        if not created:
            typer.echo(f"已更改控制台账号「{username}」的密码 / password set for {username}")
        elif linked is None:
            typer.echo(
                f"已新建控制台账号「{username}」，它不属于任何成员：拥有整个工作区的全部权限 "
                f"/ new account {username}, linked to no member: the workspace owner, every right"
            )
        else:
            typer.echo(f"已新建控制台账号「{username}」/ new account {username}")
    finally:
        runtime.close()
