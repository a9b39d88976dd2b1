"""``/api/v1/okr/cycles/{id}/export.csv|.xlsx`` and ``/cycles/{id}/import``: a team's cycle as
a sheet, and OKRs from a sheet laid out like the seed's OKR template (dry run unless
``apply=true``); the same services as ``teamassist okr export|import``."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Response

from teamassist.http.deps import Id, NowDep, PrincipalDep, RuntimeDep, SessionDep, TeamDep
from teamassist.okr import cycles, sheet
from teamassist.okr.api.base import resource_router
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
    team: TeamDep,
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
    team: TeamDep,
    now: NowDep,
) -> Response:
    """The cycle's KRs as an XLSX sheet (numbers as numbers, weights and progress in %)."""
    cycle = cycles.get(session, team=team, cycle_id=cycle_id)
    found = sheet.rows(
        session, team=team, cycle=cycle, workdays=runtime.ports.get(Workdays), now=now
    )
    content = sheet.to_xlsx(found, title=cycle.key)
    return _download(content, sheet.XLSX_TYPE, sheet.filename(team, cycle, "xlsx"))
