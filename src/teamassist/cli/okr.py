"""``teamassist okr export|import``: a team's cycle as CSV/XLSX, and OKRs from a sheet laid out
like the seed's OKR template (a dry run unless ``--apply``); the REST endpoints call the same
services."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from teamassist.cli import files
from teamassist.cli.app import TeamOption, build, okr_app, refusals
from teamassist.cli.files import OverwriteOption
from teamassist.launch.refusal import fail

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from teamassist.team.models import Team

WorkspaceOption = Annotated[
    str | None, typer.Option("--workspace", help="workspace key (default: the only workspace)")
]
CycleOption = Annotated[
    str | None, typer.Option("--cycle", help="cycle key such as 2026Q4 (default: the current)")
]


def _team(session: Session, workspace_key: str | None, team_key: str | None) -> Team:
    from teamassist.team.workspaces import pick_team, pick_workspace

    return pick_team(session, pick_workspace(session, workspace_key), team_key)


@okr_app.command("export")
def okr_export(
    to: Annotated[
        Path | None,
        typer.Option("--to", help="file to write; .xlsx or .csv (default: okr-TEAM-CYCLE.xlsx)"),
    ] = None,
    team: TeamOption = None,
    cycle: CycleOption = None,
    workspace: WorkspaceOption = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Export a team's cycle (without --team: the workspace's first team): one row per KR with
    values, progress, status and score. A path that cannot be written, or an existing file
    without --overwrite, is refused before the export is made (exit 1)."""
    from teamassist.database import transaction
    from teamassist.i18n import t
    from teamassist.okr import cycles, sheet
    from teamassist.ports import Workdays

    if to is not None:
        if to.suffix.lower() not in (".xlsx", ".csv"):
            # it wrote an .xlsx into x.txt (tester s27 A-3): the suffix says the format
            fail(t("okr_sheet.error.suffix", path=to))
        files.check_writable(to, overwrite=overwrite, example="okr.xlsx")
    runtime = build()
    try:
        with refusals(), transaction(runtime.factory) as session:
            found_team = _team(session, workspace, team)
            now = runtime.clock()
            found_cycle = (
                cycles.by_key(session, team=found_team, key=cycle)
                if cycle
                else cycles.current(
                    session, team=found_team, today=cycles.today_of(found_team, now)
                )
            )
            path = to or Path(sheet.filename(found_team, found_cycle, "xlsx"))
            if to is None:
                files.check_writable(path, overwrite=overwrite, example="okr.xlsx")
            rows = sheet.rows(
                session,
                team=found_team,
                cycle=found_cycle,
                workdays=runtime.ports.get(Workdays),
                now=now,
            )
            content = (
                sheet.to_csv(rows)
                if path.suffix.lower() == ".csv"
                else sheet.to_xlsx(rows, title=found_cycle.key)
            )
            cycle_key = found_cycle.key
    finally:
        runtime.close()
    files.write(path, content)
    typer.echo(t("okr_sheet.exported", cycle=cycle_key, rows=len(rows), path=path))


@okr_app.command("import")
def okr_import(
    file: Annotated[Path, typer.Argument(help="the sheet: .xlsx or .csv (UTF-8 or GBK)")],
    team: TeamOption = None,
    cycle: CycleOption = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="create the drafts (default: a dry run)")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Import OKRs from a sheet laid out like the seed's OKR template (or our export) into a
    team (without --team: the workspace's first): a dry run listing every row's problem;
    --apply creates drafts, all or nothing, never published."""
    from teamassist.database import transaction
    from teamassist.okr import cycles, sheet_import

    data = files.read(file, limit=sheet_import.MAX_BYTES + 1, example="okr.xlsx")
    runtime = build()
    try:
        with refusals(), transaction(runtime.factory) as session:
            rows = sheet_import.read_table(data, file.name)
            found_team = _team(session, workspace, team)
            now = runtime.clock()
            found_cycle = (
                cycles.by_key(session, team=found_team, key=cycle)
                if cycle
                else cycles.current(
                    session, team=found_team, today=cycles.today_of(found_team, now)
                )
            )
            report = sheet_import.import_sheet(
                session,
                team=found_team,
                cycle=found_cycle,
                rows=rows,
                actor=None,
                now=now,
                apply=apply,
            )
            lines = report.lines()
    finally:
        runtime.close()
    for line in lines:
        typer.echo(line)
    if report.problems:
        raise typer.Exit(1)
