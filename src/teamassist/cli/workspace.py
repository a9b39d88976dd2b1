"""``teamassist workspace list|export|delete``, ``team add``, ``member add`` and ``member role``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from teamassist.cli import files
from teamassist.cli.app import (
    TeamOption,
    build,
    fail,
    member_app,
    refusals,
    team_app,
    workspace_app,
)
from teamassist.cli.files import OverwriteOption

if TYPE_CHECKING:
    from sqlalchemy.orm import InstrumentedAttribute, Session

    from teamassist.enums import Role

WorkspaceOption = Annotated[
    str | None, typer.Option("--workspace", help="workspace key (default: the only workspace)")
]


@workspace_app.command("list")
def workspace_list() -> None:
    """List the workspaces: key, name, teams, members."""
    from teamassist.database import transaction
    from teamassist.i18n import t
    from teamassist.team.models import Member, Team
    from teamassist.team.workspaces import all_workspaces

    runtime = build()
    try:
        with transaction(runtime.factory, read_only=True) as session:
            found = all_workspaces(session)
            teams = _counts(session, Team.workspace_id)
            members = _counts(session, Member.workspace_id)
            lines = [
                t(
                    "setup.workspace.list_line",
                    ws=w.key,
                    name=w.name,
                    teams=teams.get(w.id, 0),
                    members=members.get(w.id, 0),
                )
                for w in found
            ]
    finally:
        runtime.close()
    typer.echo("\n".join(lines) if lines else t("setup.workspace.list_empty"))


def _counts(session: Session, column: InstrumentedAttribute[int]) -> dict[int, int]:
    """Rows per workspace of ``column``'s table."""
    from sqlalchemy import func, select

    rows = session.execute(select(column, func.count()).group_by(column))
    return {int(row[0]): int(row[1]) for row in rows}


@workspace_app.command("export")
def workspace_export(
    key: Annotated[str, typer.Argument(help="the workspace's key (see `workspace list`)")],
    to: Annotated[Path, typer.Option("--to", help="the zip file to write")],
    overwrite: OverwriteOption = False,
) -> None:
    """Export a workspace as a zip to read, audit or hand over: every row of it as JSON, and CSV
    per table (no secrets). NOT a backup: chat texts are blanked, private parts left out, and
    nothing imports it back; back up the database instead (docs/deployment.md, Backups). A
    path that cannot be written, or an existing file without --overwrite, is refused before
    the export is made (exit 1)."""
    from teamassist.database import transaction
    from teamassist.i18n import t
    from teamassist.team.archive import export_workspace
    from teamassist.team.workspaces import pick_workspace

    files.check_writable(to, overwrite=overwrite, example="export.zip")
    runtime = build()
    runtime.import_models()  # a CLI process has loaded no domain's models yet
    try:
        with refusals(), transaction(runtime.factory, read_only=True) as session:
            workspace = pick_workspace(session, key)
            archive = export_workspace(session, workspace=workspace, now=runtime.clock())
    finally:
        runtime.close()
    files.write(to, archive.data)
    typer.echo(t("setup.workspace.exported", name=workspace.name, path=to, rows=archive.rows))


@workspace_app.command("delete")
def workspace_delete(
    key: Annotated[str, typer.Argument(help="the workspace's key (see `workspace list`)")],
    confirm: Annotated[
        str | None, typer.Option(help="the workspace's name, for scripts (else asked)")
    ] = None,
) -> None:
    """Delete a workspace and everything in it, after its name is typed as confirmation."""
    from teamassist.database import transaction
    from teamassist.i18n import t
    from teamassist.team.workspaces import delete_workspace, pick_workspace

    runtime = build()
    try:
        with refusals():
            if confirm is None:
                with transaction(runtime.factory, read_only=True) as session:
                    name = pick_workspace(session, key).name
                confirm = typer.prompt(t("setup.workspace.ask_confirm", name=name))
            with transaction(runtime.factory) as session:
                gone = delete_workspace(
                    session, workspace=pick_workspace(session, key), confirm=confirm
                )
    finally:
        runtime.close()
    typer.echo(
        t(
            "setup.workspace.deleted",
            name=gone.name,
            ws=gone.key,
            notices=gone.notices_cancelled,
            jobs=gone.jobs_cancelled,
        )
    )


@team_app.command("add")
def team_add(
    name: Annotated[str, typer.Argument(help="the team's name")],
    timezone: Annotated[
        str | None, typer.Option(help="time zone (default: default_timezone)")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Add a team to a workspace."""
    from teamassist.database import transaction
    from teamassist.i18n import t
    from teamassist.team.workspaces import add_team, pick_workspace

    runtime = build()
    try:
        with refusals(), transaction(runtime.factory) as session:
            team = add_team(
                session,
                workspace=pick_workspace(session, workspace),
                name=name,
                timezone=timezone or runtime.settings.default_timezone,
            )
            line = t(
                "setup.workspace.team_added", name=team.name, id=team.id, timezone=team.timezone
            )
    finally:
        runtime.close()
    typer.echo(line)


def _role(word: str) -> Role:
    """The role ``--role``/ROLE names (admin, lead, member); exit 2 naming the three else."""
    from teamassist.enums import Role
    from teamassist.i18n import t

    try:
        return Role(word)
    except ValueError:
        fail(t("setup.error.bad_role", role=word, known=", ".join(r.value for r in Role)), code=2)


@member_app.command("add")
def member_add(
    handle: Annotated[str, typer.Argument(help="the member's handle (sign-in name, @mention)")],
    name: Annotated[str | None, typer.Option(help="display name (default: the handle)")] = None,
    role: Annotated[str, typer.Option(help="admin, lead or member")] = "member",
    team: TeamOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Add a member to a team of a workspace (without --team: its first team)."""
    from teamassist.database import transaction
    from teamassist.i18n import t
    from teamassist.team import people
    from teamassist.team.workspaces import pick_team, pick_workspace

    chosen = _role(role)
    runtime = build()
    try:
        with _cli_refusals(), transaction(runtime.factory) as session:
            ws = pick_workspace(session, workspace)
            home = pick_team(session, ws, team)
            # The same service as /添加成员 and REST: a person the workspace has joins this
            # team (it answered 「账号已存在」 for a second team, tester F13, session 20).
            added = people.add_person(
                session,
                workspace=ws,
                team=home,
                handle=handle,
                display_name=handle if name is None else name,  # "" is refused, not the handle
                role=chosen,
                by=None,
                now=runtime.clock(),
            )
            member = added.member
            line = t(
                "setup.workspace.member_joined"
                if added.existing
                else "setup.workspace.member_added",
                handle=member.handle,
                name=member.display_name,
                role=t(f"core.role.{chosen.value}"),
                team=home.name,
            )
            if added.told:  # a person who exists was told, as chat says it
                line = f"{line}\n{t('people.joined_told')}"
            # --name for a person who exists: not used, and said so as chat says it
            unused = added.name_not_used(name)
            if unused is not None:
                kept = t("people.joined_name_kept_outside", given=unused, name=member.display_name)
                line = f"{line}\n{kept}"
    finally:
        runtime.close()
    typer.echo(line)


@member_app.command("role")
def member_role(
    handle: Annotated[str, typer.Argument(help="the member's handle")],
    role: Annotated[str, typer.Argument(help="admin, lead or member")],
    team: TeamOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Set a member's role in a team: the operator's way back when a chat took an admin's
    role away (a QQ group admin demoted the workspace's owner, tester s27 A-7). Without
    --team: the workspace's first team."""
    from teamassist.database import transaction
    from teamassist.i18n import t
    from teamassist.team import people
    from teamassist.team import service as team_service
    from teamassist.team.workspaces import pick_team, pick_workspace

    chosen = _role(role)
    runtime = build()
    try:
        with refusals(), transaction(runtime.factory) as session:
            ws = pick_workspace(session, workspace)
            home = pick_team(session, ws, team)
            member = team_service.get_member_by_handle(session, workspace_id=ws.id, handle=handle)
            if member is None:
                fail(t("setup.workspace.no_member", ws=ws.key, handle=handle[:64]))
            before = team_service.role_of(session, team=home, member=member)
            people.change_role(session, team=home, member=member, role=chosen, by=None)
            line = t(
                "setup.workspace.role_set",
                handle=member.handle,
                name=member.display_name,
                team=home.name,
                role=t(f"core.role.{chosen.value}"),
                before=t(f"core.role.{before.value}") if before else t("core.role.none"),
            )
    finally:
        runtime.close()
    typer.echo(line)


@contextmanager
def _cli_refusals() -> Iterator[None]:
    """:func:`refusals`, with the shell's words for "already in the team": the chat's names
    /设置角色, which a shell cannot run (tester F10, session 21)."""
    from teamassist.exceptions import DomainError
    from teamassist.i18n import t

    try:
        yield
    except DomainError as exc:
        if exc.key == "people.error.already_in_team":
            fail(t("setup.workspace.member_already", **exc.params))
        fail(exc.message())
