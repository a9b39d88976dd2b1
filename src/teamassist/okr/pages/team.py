"""The team's OKRs: every O of a cycle with owner, progress, status and score (a cycle picker),
and once the cycle is being graded or closed, how its scores spread."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from teamassist.http.deps import NowDep, RuntimeDep, SessionDep
from teamassist.http.render import PagePrincipal, PageTeamDep
from teamassist.i18n import t
from teamassist.okr import cycles, scoring, trends
from teamassist.okr import objectives as okr
from teamassist.okr.api.base import listing
from teamassist.okr.models import CycleState
from teamassist.okr.pages.base import chosen_cycle, cycle_choices, okr_page, screen_router

router = screen_router()

SCORED_STATES = {CycleState.GRADING.value, CycleState.CLOSED.value}


@router.get("/team", response_class=HTMLResponse)
def team_okrs_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    runtime: RuntimeDep,
    now: NowDep,
    cycle: str | None = None,
) -> HTMLResponse:
    """Every O of the chosen cycle; scores and their spread once the cycle is graded."""
    today = cycles.today_of(chosen, now)
    choices = cycle_choices(session, chosen, today)
    shown = chosen_cycle(session, chosen, today, cycle, choices)
    found = okr.objectives(session, team=chosen, cycle=shown)
    view = listing(session, runtime, chosen, shown, found, now)
    scored = view.cycle.state in SCORED_STATES
    scores = {s.objective.id: s for s in scoring.objective_scores(session, found)} if scored else {}
    spread = trends.score_spread(list(scores.values())) if scores else None
    chart = None
    if spread is not None:
        chart = {
            "scores": {
                "labels": [f"{b:.1f}" for b in spread.buckets],
                "datasets": [
                    {"label": t("okr_web.team.chart_objectives"), "data": spread.objectives},
                    {"label": t("okr_web.team.chart_key_results"), "data": spread.key_results},
                ],
            }
        }
    return okr_page(
        request,
        session,
        principal,
        chosen,
        "okr/team.html",
        "team",
        view=view,
        choices=choices,
        scores=scores,
        spread=spread,
        chart=chart,
    )
