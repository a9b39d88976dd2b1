"""``/qualifications``: the team's framework, the viewer's own level and assessments, and for
the director and admins the team's levels. Read-only; changes are made in chat and REST."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from teamassist.http.auth import is_admin
from teamassist.http.deps import SessionDep
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page
from teamassist.qualifications import messages, service
from teamassist.team import service as team_service

router = APIRouter(prefix="/qualifications", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def qualifications_page(
    request: Request, session: SessionDep, principal: PagePrincipal, team: PageTeamDep
) -> HTMLResponse:
    """The framework for everyone; one's own level; everyone's levels for the director and
    admins only."""
    me = principal.member
    mine = service.profile(session, team=team, person=me) if me is not None else None
    sees_all = is_admin(session, principal, team) or service.is_director(team, me)
    everyone = service.team_levels(session, team=team) if sees_all else []
    names = team_service.names_by_id(
        session, [a.assessor_id for a, _lv in (mine.assessments if mine else [])]
    )
    return team_page(
        request,
        session,
        principal,
        team,
        "qualifications/qualifications.html",
        "qualifications",
        framework=service.framework(session, team=team),
        mine=mine,
        everyone=everyone,
        sees_all=sees_all,
        names=names,
        outcome_label=messages.OUTCOME_LABEL,
    )
