"""``/awards``: this month's round (nominees with reasons and evidence, the viewer's own
vote), its forms, and the history of winners with their tallies.

The forms call what ``/提名``, ``/投票`` and ``/专家评选 开始|投票|截止`` call (and REST), with the
signed-in member as nominator or voter; the page never shows a count before a round closes.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from teamassist.awards import rounds, service
from teamassist.awards.models import PHASE_LABEL, Phase
from teamassist.awards.notices import month_label
from teamassist.exceptions import Conflict, Invalid, NotFound, PermissionDenied
from teamassist.http.auth import is_admin
from teamassist.http.deps import NowDep, RuntimeDep, SessionDep
from teamassist.http.fields import storable_id
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page
from teamassist.http.routes import Routes
from teamassist.i18n import t
from teamassist.ports import Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.web.page_forms import PostedForm, back

router = Routes(prefix="/awards", include_in_schema=False)


def _me(principal: PagePrincipal, team: Team) -> Member:
    if principal.member is None:
        raise PermissionDenied("awards.error.not_member", name=principal.username, team=team.name)
    member: Member = principal.member
    return member


def _colleague(session: SessionDep, team: Team, form: PostedForm) -> Member:
    """The team member the form picks (``nominee_id``); NotFound for anyone else."""
    raw = form.text("nominee_id").strip()
    if not raw.isascii() or not raw.isdigit():
        raise Invalid("awards.error.pick_someone")
    member = session.get(Member, storable_id(int(raw)))
    if member is None or team_service.role_of(session, team=team, member=member) is None:
        raise NotFound("awards.error.unknown_member", handle=raw[:64])
    return member


def _done(word: str) -> str:
    """The receipt line after a form (``?done=…``); keys spelled out for the catalogue check."""
    texts = {
        "nominated": t("awards.web.done.nominated"),
        "voted": t("awards.web.done.voted"),
        "opened": t("awards.web.done.opened"),
        "voting": t("awards.web.done.voting"),
        "closed": t("awards.web.done.closed"),
    }
    return texts.get(word, "")


@router.get("", response_class=HTMLResponse)
def awards_page(
    request: Request, session: SessionDep, principal: PagePrincipal, team: PageTeamDep
) -> HTMLResponse:
    """The open round, its forms and past winners of the team (``?team=``)."""
    current = rounds.active(session, team=team)
    people = service.nominees(session, round_=current) if current else []
    mine = service.my_vote(session, round_=current, voter=principal.member) if current else None
    past = rounds.history(session, team=team)
    ids = [mine] + [r.winner_id for r in past]
    ids += [int(x["nominee_id"]) for r in past for x in (r.tally or [])]
    names = team_service.names_by_id(session, ids)
    me = principal.member
    colleagues = sorted(
        (
            m
            for m, _role in team_service.team_members(session, team=team)
            if not team_service.has_left(m) and (me is None or m.id != me.id)
        ),
        key=lambda m: (m.display_name, m.id),
    )
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
        my_vote_id=mine,
        past=past,
        names=names,
        month_label=month_label,
        phase_label=PHASE_LABEL,
        colleagues=colleagues,
        director=me is not None
        and (team.director_id == me.id or is_admin(session, principal, team)),
        done=_done(request.query_params.get("done", "")),
    )


@router.post("/nominate")
async def nominate_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    team: PageTeamDep,
    now: NowDep,
) -> RedirectResponse:
    """Nominate a colleague with a reason and evidence links (one per line), as ``/提名``."""
    form = await PostedForm.read(request)
    me = _me(principal, team)
    service.nominate(
        session,
        team=team,
        nominator=me,
        nominee=_colleague(session, team, form),
        reason=form.text("reason"),
        links=form.lines("links"),
        now=now,
    )
    return back("/awards", team, done="nominated")


@router.post("/vote")
async def vote_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    team: PageTeamDep,
    now: NowDep,
) -> RedirectResponse:
    """Cast or replace the signed-in member's one vote, as ``/投票``."""
    form = await PostedForm.read(request)
    me = _me(principal, team)
    service.vote(session, team=team, voter=me, nominee=_colleague(session, team, form), now=now)
    return back("/awards", team, done="voted")


@router.post("/phase")
async def phase_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    team: PageTeamDep,
    now: NowDep,
    runtime: RuntimeDep,
) -> RedirectResponse:
    """The director's (or an admin's) moves, as ``/专家评选 开始|投票|截止``: ``open`` this
    month's round, start ``voting``, or close it (``closed``: tally, winner, announcement)."""
    rounds.require_director(team, principal.member, admin=is_admin(session, principal, team))
    move = (await PostedForm.read(request)).text("phase")
    if move == "open":
        rounds.open_round(
            session, team=team, now=now, workdays=runtime.ports.get(Workdays), by_hand=True
        )
        return back("/awards", team, done="opened")
    current = rounds.active(session, team=team)
    if current is None:
        raise Conflict("awards.error.no_round")
    if move == Phase.VOTING.value:
        rounds.start_voting(session, round_=current, now=now)
    elif move == Phase.CLOSED.value:
        rounds.close(session, team=team, round_=current, now=now)
    else:
        raise Invalid("awards.error.unknown_action", action=move[:20])
    return back("/awards", team, done=move)
