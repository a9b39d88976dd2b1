"""The team's OKRs: every O of a cycle with owner, progress, status and score (a cycle picker),
and once the cycle is being graded or closed, how its scores spread.

The whole cycle is summarised (how many Os are on track, at risk, off track) but the table
shows ``PAGE_SIZE`` Os at a time: a 200-person team has 600, and rendering every row was most
of the page's time (issue 12: ≤ 100 ms server time for that team).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse

from teamassist.chat.types import plain_text
from teamassist.http.deps import NowDep, RuntimeDep, SessionDep
from teamassist.http.render import PagePrincipal, WorkspacePageTeamDep
from teamassist.i18n import t
from teamassist.okr import cycles, notices, rollup, scoring, trends
from teamassist.okr.formulas import Expectation, Status
from teamassist.okr.models import CycleState
from teamassist.okr.pages.base import chosen_cycle, cycle_choices, okr_page, screen_router
from teamassist.okr.rollup import ObjectiveSummary
from teamassist.okr.schemas import CycleRead, cycle_read
from teamassist.ports import Workdays
from teamassist.team import service as team_service

router = screen_router()

SCORED_STATES = {CycleState.GRADING.value, CycleState.CLOSED.value}
PAGE_SIZE = 50
_LAST_PAGE = 10**6  # a longer ?page= is not a page number


@dataclass(frozen=True, slots=True)
class Pager:
    """Which slice of the cycle's Os the table shows (1-based, inclusive)."""

    page: int
    pages: int
    total: int
    first: int
    last: int


def pager(raw: str | None, total: int) -> Pager:
    """``?page=`` as typed: anything but a page number is the first page, one past the end is
    the last page (a link kept from a fuller cycle still shows something)."""
    pages = max(1, -(-total // PAGE_SIZE))
    text = (raw or "").strip()
    asked = int(text) if text.isdigit() and 0 < len(text) <= len(str(_LAST_PAGE)) else 1
    page = min(max(asked, 1), pages)
    first = (page - 1) * PAGE_SIZE
    return Pager(page, pages, total, min(first + 1, total), min(first + PAGE_SIZE, total))


@dataclass(frozen=True, slots=True)
class TeamRow:
    """One O's line: the fields of ``ObjectiveRead`` the page shows, without its KRs."""

    id: int
    ref: str
    title: str
    okr_type: str
    state: str
    owner_name: str | None
    progress: float
    status: str
    confidence: float | None


@dataclass(frozen=True)
class TeamView:
    """The cycle, its expectation and every O's line (the shape the OKR layout reads)."""

    cycle: CycleRead
    expected: float
    workdays_done: int
    workdays_total: int
    provisional_years: list[int]
    objectives: list[TeamRow]  # the page's slice
    statuses: dict[str, int]  # every O of the cycle by status value


def team_view(
    cycle: CycleRead,
    expected: Expectation,
    found: list[ObjectiveSummary],
    names: Mapping[int, str],
    statuses: Mapping[str, int],
) -> TeamView:
    """The page's view of the summarised Os ``found`` (figures as ``GET /api/v1/okr/objectives``
    gives them) and the cycle's ``statuses`` counts."""
    return TeamView(
        cycle=cycle,
        expected=expected.share,
        workdays_done=expected.done,
        workdays_total=expected.total,
        provisional_years=list(expected.provisional_years),
        objectives=[
            TeamRow(
                id=o.objective.id,
                ref=f"O-{o.objective.number}",
                title=plain_text(o.objective.title),
                okr_type=o.objective.okr_type,
                state=o.objective.state,
                owner_name=names.get(o.objective.owner_id) if o.objective.owner_id else None,
                progress=o.progress,
                status=o.status.value,
                confidence=o.confidence,
            )
            for o in found
        ],
        statuses={s.value: statuses.get(s.value, 0) for s in Status},
    )


@router.get("/team", response_class=HTMLResponse)
def team_okrs_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: WorkspacePageTeamDep,
    runtime: RuntimeDep,
    now: NowDep,
    cycle: str | None = None,
    page: str | None = None,
) -> HTMLResponse:
    """The chosen cycle's Os, a page at a time, with the whole cycle's status counts; scores
    and their spread once the cycle is graded."""
    today = cycles.today_of(chosen, now)
    choices = cycle_choices(session, chosen, today)
    shown = chosen_cycle(session, chosen, today, cycle, choices)
    expected, summaries = rollup.summary_of_cycle(
        session, team=chosen, cycle=shown, workdays=runtime.ports.get(Workdays), today=today
    )
    slice_ = pager(page, len(summaries))
    shown_rows = summaries[slice_.first - 1 : slice_.last] if summaries else []
    # Owners who left are marked（已离开）: their Os stay listed until someone takes them over.
    names = notices.owner_names(
        team_service.members_by_id(session, (s.objective.owner_id for s in shown_rows))
    )
    counts = Counter(s.status.value for s in summaries)
    view = team_view(cycle_read(shown, today), expected, shown_rows, names, counts)
    scored = view.cycle.state in SCORED_STATES
    every = scoring.objective_scores(session, [s.objective for s in summaries]) if scored else []
    scores = {s.objective.id: s for s in every}
    spread = trends.score_spread(every) if every else None
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
        pager=slice_,
        choices=choices,
        scores=scores,
        spread=spread,
        chart=chart,
    )
