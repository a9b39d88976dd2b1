"""Today's duty: who holds each rotation now, and whether they signed in."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from teamassist.duty import service, signin
from teamassist.duty.pages.base import screen_router
from teamassist.http.deps import RuntimeDep, SessionDep
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page

router = screen_router()


@router.get("", response_class=HTMLResponse)
def today_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    runtime: RuntimeDep,
) -> HTMLResponse:
    """Who holds each rotation now, and whether they signed in."""
    now = runtime.clock()
    statuses = signin.duty_status(session, team=chosen, at=now)
    rows = []
    for entry in service.on_duty(session, team=chosen, at=now):
        rows.append(
            {
                "rotation": entry.rotation,
                "duty_date": entry.duty_date,
                "people": [s for s in statuses if s.rotation.id == entry.rotation.id],
            }
        )
    return team_page(
        request, session, principal, chosen, "duty/today.html", "today", rows=rows, now=now
    )
