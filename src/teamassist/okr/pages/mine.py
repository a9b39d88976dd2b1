"""My OKRs: the signed-in member's Os of a cycle with their KRs, progress, status, confidence
and last check-in, as ``/我的OKR`` and ``GET /api/v1/okr/objectives?owner=`` give them."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from teamassist.http.deps import NowDep, RuntimeDep, SessionDep
from teamassist.http.render import PagePrincipal, WorkspacePageTeamDep
from teamassist.okr import cycles
from teamassist.okr import objectives as okr
from teamassist.okr.api.base import listing
from teamassist.okr.pages.base import (
    chosen_cycle,
    cycle_choices,
    local_day,
    okr_page,
    screen_router,
)

router = screen_router()


@router.get("", response_class=HTMLResponse)
def my_okrs_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: WorkspacePageTeamDep,
    runtime: RuntimeDep,
    now: NowDep,
    cycle: str | None = None,
) -> HTMLResponse:
    """The signed-in member's Os of the chosen cycle with their KRs."""
    today = cycles.today_of(chosen, now)
    choices = cycle_choices(session, chosen, today)
    shown = chosen_cycle(session, chosen, today, cycle, choices)
    member = principal.member
    found = okr.objectives(session, team=chosen, cycle=shown, owner_id=member.id) if member else []
    return okr_page(
        request,
        session,
        principal,
        chosen,
        "okr/mine.html",
        "mine",
        view=listing(session, runtime, chosen, shown, found, now),
        choices=choices,
        local_day=lambda moment: local_day(moment, chosen),
    )
