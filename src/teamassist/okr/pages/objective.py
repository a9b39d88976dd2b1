"""One O: its KRs as REST reads them, the burn-up chart (the cycle's working-day expectation
against the O's progress), the confidence trend, each KR's check-in freshness, its scores once
the cycle is graded, and what it is aligned to and what supports it."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from teamassist.exceptions import NotFound
from teamassist.http.deps import Id, NowDep, RuntimeDep, SessionDep, team_of
from teamassist.http.render import PagePrincipal
from teamassist.i18n import t
from teamassist.okr import alignment, cycles, scoring, trends
from teamassist.okr import objectives as okr
from teamassist.okr import settings as okr_settings
from teamassist.okr.api.base import listing
from teamassist.okr.models import Alignment, Objective
from teamassist.okr.pages.base import local_day, okr_page, screen_router
from teamassist.okr.pages.team import SCORED_STATES
from teamassist.ports import Workdays

router = screen_router()


def _share(value: float | None) -> float | None:
    """A share as the percent the chart's axis shows (drawing only, no arithmetic in JS)."""
    return None if value is None else round(value * 100, 1)


def _chart(burn: trends.BurnUp, trend: trends.ConfidenceTrend) -> dict[str, Any]:
    return {
        "burnup": {
            "labels": [d.isoformat() for d in burn.days],
            "datasets": [
                {
                    "label": t("okr_web.objective.expected"),
                    "data": [_share(v) for v in burn.expected],
                },
                {"label": t("okr_web.objective.actual"), "data": [_share(v) for v in burn.actual]},
            ],
        },
        "confidence": {
            "labels": [d.isoformat() for d in trend.days],
            "datasets": [
                {
                    "label": t("okr_web.objective.objective_confidence"),
                    "data": [None if v is None else round(v, 1) for v in trend.objective],
                },
                *(
                    {"label": f"KR-{kr.number} {kr.title}", "data": values}
                    for kr, values in trend.key_results
                ),
            ],
        },
    }


@router.get("/objectives/{objective_id}", response_class=HTMLResponse)
def objective_page(
    request: Request,
    objective_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    runtime: RuntimeDep,
    now: NowDep,
) -> HTMLResponse:
    """One O with its burn-up, confidence trend, freshness, scores and alignment."""
    objective = session.get(Objective, objective_id)
    if objective is None or objective.workspace_id != principal.workspace.id:
        raise NotFound("okr.error.no_objective", ref=objective_id)
    team = team_of(session, principal, objective.team_id)
    cycle = cycles.get(session, team=team, cycle_id=objective.cycle_id)
    today = cycles.today_of(team, now)
    view = listing(session, runtime, team, cycle, [objective], now)
    krs = okr.key_results(session, [objective.id])[objective.id]
    burn = trends.burn_up(
        session,
        objective=objective,
        cycle=cycle,
        workdays=runtime.ports.get(Workdays),
        today=today,
    )
    trend = trends.confidence_trend(session, objective=objective)
    scored = view.cycle.state in SCORED_STATES
    stale_after = okr_settings.of(team).checkin_days
    parents = alignment.parents_of(session, [objective])[objective.id]
    supporters = list(session.scalars(select(Alignment).where(Alignment.parent_id == objective.id)))
    return okr_page(
        request,
        session,
        principal,
        team,
        "okr/objective.html",
        "objective",
        view=view,
        item=view.objectives[0],
        fresh=trends.freshness(
            krs, cycle=cycle, today=today, timezone=team.timezone, checkin_days=stale_after
        ),
        as_of=trends.as_of(cycle, today),
        stale_days=stale_after,
        score=scoring.objective_scores(session, [objective])[0] if scored else None,
        parents=alignment.link_labels(session, parents),
        supporters=alignment.link_labels(session, supporters),
        chart=_chart(burn, trend),
        local_day=lambda moment: local_day(moment, team),
    )
