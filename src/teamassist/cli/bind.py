"""``teamassist bind ...``: binding codes, direct bindings for operators, unbinding, WeCom robots.

Each command is one transaction and calls the same service functions as ``/绑定`` and the REST
endpoints (``team.binding``). Like every CLI module, it imports only Typer at the top.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from teamassist.cli.app import TeamOption, bind_app, build, fail, load, refusals

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from teamassist.clock import Clock
    from teamassist.config import Settings
    from teamassist.team.models import Workspace

T = TypeVar("T")
WorkspaceOpt = Annotated[
    str | None, typer.Option("--workspace", help="workspace key (default: the only workspace)")
]


def _run(settings: Settings | None, unit: Callable[[Session, Clock], T]) -> T:
    """Run ``unit`` in one transaction; a refusal is printed in the catalogue's words."""
    from teamassist.database import transaction

    runtime = build(settings)
    try:
        with refusals(), transaction(runtime.factory) as session:
            return unit(session, runtime.clock)
    finally:
        runtime.close()


def _workspace(session: Session, key: str | None) -> Workspace:
    """The workspace ``key`` names; without ``--workspace`` the only one (like ``admin password``
    and ``chat``), a refusal naming the keys when there are several or none."""
    from teamassist.bidi import isolate
    from teamassist.i18n import t
    from teamassist.team import service as team_service
    from teamassist.team import workspaces

    if key is None:
        return workspaces.pick_workspace(session, None)
    workspace = team_service.get_workspace_by_key(session, key=key)
    if workspace is None:
        fail(t("binding.cli_no_workspace", workspace=isolate(key)))
    return workspace


@bind_app.command("code")
def bind_code(
    workspace: WorkspaceOpt = None,
    platform: Annotated[
        str | None, typer.Option(help="qq or feishu: where the code may be used (default any)")
    ] = None,
) -> None:
    """Print a one-time binding code for `/绑定 <code>` (valid 30 minutes)."""
    from teamassist.i18n import t
    from teamassist.team import binding

    def unit(session: Session, clock: Clock) -> str:
        new = binding.create_code(
            session, workspace=_workspace(session, workspace), now=clock(), platform=platform
        )
        minutes = int(binding.CODE_TTL.total_seconds() // 60)
        return t("binding.code_created", code=new.code, minutes=minutes)

    typer.echo(_run(None, unit))


def _bind(
    settings: Settings | None, workspace: str | None, platform: str, tenant: str, kind: str
) -> None:
    from teamassist.i18n import t
    from teamassist.team import binding

    def unit(session: Session, clock: Clock) -> str:
        ws = _workspace(session, workspace)
        _, new = binding.bind(
            session, workspace=ws, platform=platform, tenant_key=tenant, kind=kind, now=clock()
        )
        key = "binding.cli_bound" if new else "binding.cli_already"
        return t(key, platform=platform, tenant=tenant, workspace=ws.name)

    typer.echo(_run(settings, unit))


@bind_app.command("qq")
def bind_qq(
    workspace: WorkspaceOpt = None,
    guild: Annotated[str | None, typer.Option(help="QQ guild (频道) id")] = None,
    group: Annotated[str | None, typer.Option(help="QQ group openid")] = None,
    c2c: Annotated[bool, typer.Option(help="the bot's private (C2C) chats")] = False,
) -> None:
    """Bind a QQ guild, a QQ group, or the bot's private chats to a workspace."""
    chosen = [(k, v) for k, v in (("guild", guild), ("group", group)) if v] + (
        [("c2c", "")] if c2c else []
    )
    if len(chosen) != 1:
        fail("give exactly one of --guild, --group, --c2c", 2)
    kind, tenant = chosen[0]
    settings = load()
    if kind == "c2c":
        tenant = settings.qq.app_id  # private chats are scoped to the bot (see qq.protocol)
        if not tenant:
            fail("qq.app_id is not configured", 2)
    _bind(settings, workspace, "qq", tenant, kind)


@bind_app.command("feishu")
def bind_feishu(
    tenant: Annotated[str, typer.Option(help="the Feishu tenant key (from an event header)")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Bind a Feishu tenant to a workspace."""
    _bind(None, workspace, "feishu", tenant, "tenant")


@bind_app.command("list")
def bind_list(workspace: WorkspaceOpt = None) -> None:
    """List the platform tenants bound to a workspace (one line per binding, or a sentence
    saying there is none: an empty output read as a failure)."""
    from teamassist.bidi import isolate
    from teamassist.i18n import t
    from teamassist.team import binding

    def unit(session: Session, _clock: Clock) -> list[str]:
        ws = _workspace(session, workspace)
        # a tenant's key and name come from outside (a platform, an operator's typing): a
        # direction control in one stays in its cell (session 13 printed them bare)
        lines = [
            f"#{b.id}\t{b.platform}\t{b.kind}\t{isolate(b.tenant_key)}\t{isolate(b.name)}\t"
            f"{b.bound_at.isoformat() if b.bound_at else '-'}"
            for b in binding.bindings(session, workspace_id=ws.id)
        ]
        return lines or [t("binding.cli_none", workspace=isolate(ws.key))]

    for line in _run(None, unit):
        typer.echo(line)


@bind_app.command("remove")
def bind_remove(
    platform: Annotated[str, typer.Option(help="qq or feishu")],
    tenant: Annotated[str, typer.Option(help="guild id, group openid or Feishu tenant key")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Unbind a tenant from a workspace (its members and history stay)."""
    from teamassist.exceptions import DomainError
    from teamassist.i18n import t
    from teamassist.team import binding

    def unit(session: Session, _clock: Clock) -> str:
        ws = _workspace(session, workspace)
        found = binding.tenant_binding(session, platform=platform, tenant_key=tenant)
        if found is None or found.workspace_id != ws.id:
            raise DomainError("binding.error.no_binding", what=f"{platform} {tenant}")
        binding.unbind(session, binding=found)
        return t("binding.cli_unbound", platform=platform, tenant=tenant)

    typer.echo(_run(None, unit))


@bind_app.command("wecom")
def bind_wecom(
    robot: Annotated[str, typer.Option(help="robot name as in TEAMASSIST_WECOM__ROBOTS")],
    workspace: WorkspaceOpt = None,
    team: TeamOption = None,
    name: Annotated[str, typer.Option(help="label shown in lists")] = "",
) -> None:
    """Add a WeCom group robot as a notify-only channel (purpose webhook) of a workspace; with
    --team, of that team (without it, workspace-wide)."""
    from teamassist.enums import ChannelPurpose, Platform
    from teamassist.i18n import t
    from teamassist.team import service as team_service
    from teamassist.team.names import platform_name
    from teamassist.team.workspaces import pick_team

    settings = load()
    if robot not in settings.wecom.robots:
        known = ", ".join(sorted(settings.wecom.robots)) or "-"
        fail(f"no WeCom robot {robot!r} configured (known: {known})")

    def unit(session: Session, _clock: Clock) -> str:
        ws = _workspace(session, workspace)
        chosen = None if team is None else pick_team(session, ws, team)
        channel = team_service.create_channel(
            session,
            workspace=ws,
            platform=Platform.WECOM.value,
            address=robot,
            purpose=ChannelPurpose.WEBHOOK.value,
            name=platform_name(name, fallback=robot),  # as chat's names: nothing invisible
            team=chosen,
        )
        return t("binding.cli_robot_added", robot=robot, workspace=ws.name, id=channel.id)

    typer.echo(_run(settings, unit))
