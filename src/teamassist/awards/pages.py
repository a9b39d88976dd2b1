"""``/awards``: this month's round (nominees with reasons and evidence, the viewer's own
vote) and the history of winners with their tallies. Read-only: nominating and voting stay in
chat and REST, so the page never shows a count before a round closes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from teamassist.awards import rounds, service
from teamassist.awards.models import PHASE_LABEL
from teamassist.awards.notices import month_label
from teamassist.http.deps import SessionDep
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page
from teamassist.team import service as team_service

router = APIRouter(prefix="/awards", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def awards_page(
    request: Request, session: SessionDep, principal: PagePrincipal, team: PageTeamDep
) -> HTMLResponse:
    """The open round and past winners of the team (``?team=``)."""
    current = rounds.active(session, team=team)
    people = service.nominees(session, round_=current) if current else []
    mine = service.my_vote(session, round_=current, voter=principal.member) if current else None
    past = rounds.history(session, team=team)
    ids = [mine] + [r.winner_id for r in past]
    ids += [int(x["nominee_id"]) for r in past for x in (r.tally or [])]
    names = team_service.names_by_id(session, ids)
    return team_page(
        request,
        session,
        principal,
        team,
        "awards/awards.html",
        "awards",
        current=current,
        nominees=people,
        my_vote=names.get(mine) if mine is not None else None,
        past=past,
        names=names,
        month_label=month_label,
        phase_label=PHASE_LABEL,
    )
