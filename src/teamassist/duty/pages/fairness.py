"""The fairness report as a table and a stacked bar chart of duty days per person."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request
from fastapi.responses import HTMLResponse

from teamassist.duty import fairness, service
from teamassist.duty.pages.base import names_of, parse_date, screen_router
from teamassist.http.deps import RuntimeDep, SessionDep
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page
from teamassist.i18n import t

router = screen_router()


@router.get("/fairness", response_class=HTMLResponse)
def fairness_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    runtime: RuntimeDep,
    first: str | None = None,
    last: str | None = None,
    rotation: str | None = None,
) -> HTMLResponse:
    """The fairness report as a table and a stacked bar chart of duty days per person."""
    now = runtime.clock()
    last_day = parse_date(last) or service.today(chosen, now)
    first_day = parse_date(first) or last_day - timedelta(days=89)
    rotations = service.rotations(session, team=chosen)
    rotation_row = next((r for r in rotations if rotation and str(r.id) == rotation), None)
    result = fairness.report(
        session, team=chosen, first=first_day, last=last_day, now=now, rotation=rotation_row
    )
    names = names_of(fairness.member_names(session, result))
    series = fairness.group_by_kind(result)
    chart = {
        "labels": [names.get(p.member_id, str(p.member_id)) for p in result.people],
        "datasets": [
            {"label": t("duty_web.fairness.workdays"), "data": series.get(fairness.WORKDAY, [])},
            {"label": t("duty_web.fairness.weekends"), "data": series.get(fairness.WEEKEND, [])},
            {"label": t("duty_web.fairness.holidays"), "data": series.get(fairness.HOLIDAY, [])},
        ],
    }
    query = f"from={first_day}&to={last_day}" + (
        f"&rotation={rotation_row.id}" if rotation_row else ""
    )
    return team_page(
        request,
        session,
        principal,
        chosen,
        "duty/fairness.html",
        "fairness",
        result=result,
        names=names,
        chart=chart,
        rotations=rotations,
        rotation_id=rotation_row.id if rotation_row else None,
        csv_url=f"/api/v1/duty/fairness.csv?{query}&team_id={chosen.id}",
    )
