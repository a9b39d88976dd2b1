"""``/api/v1/okr/cycles/{id}/export.csv|.xlsx`` and ``/cycles/{id}/import``: a team's cycle as
a sheet, and OKRs from a sheet laid out like the seed's OKR template (dry run unless
``apply=true``); the same services as ``teamassist okr export|import``."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Response, UploadFile
from pydantic import BaseModel

from teamassist.exceptions import PermissionDenied
from teamassist.http.deps import Id, NowDep, PrincipalDep, RuntimeDep, SessionDep, WorkspaceTeamDep
from teamassist.okr import cycles, sheet, sheet_import
from teamassist.okr.api.base import privileged, resource_router
from teamassist.ports import Workdays

router = resource_router()


def _download(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.get("/cycles/{cycle_id}/export.csv", name="okr_export_csv")
def export_csv(
    cycle_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> Response:
    """The cycle's KRs as CSV (UTF-8 with BOM, formula-safe cells)."""
    cycle = cycles.get(session, team=team, cycle_id=cycle_id)
    found = sheet.rows(
        session, team=team, cycle=cycle, workdays=runtime.ports.get(Workdays), now=now
    )
    return _download(sheet.to_csv(found), sheet.CSV_TYPE, sheet.filename(team, cycle, "csv"))


@router.get("/cycles/{cycle_id}/export.xlsx", name="okr_export_xlsx")
def export_xlsx(
    cycle_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> Response:
    """The cycle's KRs as an XLSX sheet (numbers as numbers, weights and progress in %)."""
    cycle = cycles.get(session, team=team, cycle_id=cycle_id)
    found = sheet.rows(
        session, team=team, cycle=cycle, workdays=runtime.ports.get(Workdays), now=now
    )
    content = sheet.to_xlsx(found, title=cycle.key)
    return _download(content, sheet.XLSX_TYPE, sheet.filename(team, cycle, "xlsx"))


class ImportProblemRead(BaseModel):
    """A problem or warning at a row of the sheet (0: the sheet as a whole)."""

    row: int
    message: str


class ImportKrRead(BaseModel):
    """A KR row of the sheet; ``label`` is the KR-n it gets (or would get)."""

    row: int
    title: str
    kind: str | None
    start: float | None
    target: float | None
    unit: str
    weight: int | None
    label: str


class ImportObjectiveRead(BaseModel):
    """An O of the sheet; ``exists``: the cycle has it already, so it is skipped."""

    row: int
    title: str
    owner: str | None
    okr_type: str
    exists: bool
    label: str
    key_results: list[ImportKrRead]


class ImportReportRead(BaseModel):
    """The import's report: ``applied`` only when asked and no row had a problem."""

    cycle: str
    applied: bool
    objectives: list[ImportObjectiveRead]
    problems: list[ImportProblemRead]
    warnings: list[ImportProblemRead]
    summary: list[str]


def _report(report: sheet_import.ImportReport) -> ImportReportRead:
    return ImportReportRead(
        cycle=report.cycle,
        applied=report.applied,
        objectives=[
            ImportObjectiveRead(
                row=o.row,
                title=o.title,
                owner=o.owner.handle if o.owner else None,
                okr_type=o.okr_type.value,
                exists=o.exists,
                label=o.label,
                key_results=[
                    ImportKrRead(
                        row=k.row,
                        title=k.title,
                        kind=k.kind.value if k.kind else None,
                        start=k.start,
                        target=k.target,
                        unit=k.unit,
                        weight=k.weight,
                        label=k.label,
                    )
                    for k in o.krs
                ],
            )
            for o in report.objectives
        ],
        problems=[ImportProblemRead(row=p.row, message=p.message) for p in report.problems],
        warnings=[ImportProblemRead(row=p.row, message=p.message) for p in report.warnings],
        summary=report.lines(),
    )


@router.post("/cycles/{cycle_id}/import", name="okr_import")
def import_okrs(
    cycle_id: Id,
    file: UploadFile,
    session: SessionDep,
    principal: PrincipalDep,
    team: WorkspaceTeamDep,
    now: NowDep,
    apply: bool = False,
) -> ImportReportRead:
    """OKRs from a CSV/XLSX sheet (the seed's OKR template or our export) as drafts: a dry
    run listing every row's problem unless ``apply=true``; applied all or nothing. Leads and
    admins only (it creates Os for other people)."""
    if not privileged(session, principal, team):
        raise PermissionDenied("okr_sheet.import.leads_only")
    cycle = cycles.get(session, team=team, cycle_id=cycle_id)
    data = file.file.read(sheet_import.MAX_BYTES + 1)  # sync: runs in the thread pool
    rows = sheet_import.read_table(data, file.filename or "")
    report = sheet_import.import_sheet(
        session,
        team=team,
        cycle=cycle,
        rows=rows,
        actor=principal.member,
        now=now,
        apply=apply,
    )
    return _report(report)
