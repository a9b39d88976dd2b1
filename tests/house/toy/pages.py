"""/toy: the notes as a dashboard page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from teamassist.http.deps import SessionDep
from teamassist.http.render import PagePrincipal, render
from teamassist.http.routes import Routes
from teamassist.team import service as team_service
from tests.house.toy import service

router = Routes(prefix="/toy", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def page(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    """The notes of the signed-in member's team."""
    team = team_service.default_team(session, workspace_id=principal.workspace.id)
    return render(
        request, "toy/notes.html", principal, notes=service.notes(session, team_id=team.id)
    )
