"""GET /api/v1/toy/notes: the signed-in member's team's notes."""

from __future__ import annotations

from teamassist.http.deps import PrincipalDep, SessionDep
from teamassist.http.routes import Routes
from teamassist.team import service as team_service
from tests.house.toy import service

router = Routes(prefix="/toy", tags=["toy"])


@router.get("/notes")
def list_notes(session: SessionDep, principal: PrincipalDep) -> list[str]:
    """The notes' texts, oldest first."""
    team = team_service.default_team(session, workspace_id=principal.workspace.id)
    return [note.text for note in service.notes(session, team_id=team.id)]
