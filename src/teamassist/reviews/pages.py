"""Dashboard pages of the 360 desk: the list, the director's cycle page, the answer form and
the summary. Every read and write goes through the services REST and chat use, so the k rule
and the release gate are the same here (:func:`teamassist.reviews.summary.read`).

The form posts the answers as the signed-in member; the reply page says thanks and nothing
else (no id of the row it wrote).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from teamassist.exceptions import PermissionDenied
from teamassist.http.auth import Principal
from teamassist.http.deps import Id, NowDep, SessionDep
from teamassist.http.render import PAGE_MEMBER_GATE, PagePrincipal, PageTeamDep, team_page
from teamassist.http.routes import Routes
from teamassist.i18n import lookup, t
from teamassist.reviews import document, service, summary
from teamassist.reviews.models import Pool, RequestStatus
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.web.page_forms import PostedForm, back, member_of

# the team's people and its director only, as REST (tester s23 F12)
router = Routes(prefix="/reviews/360", include_in_schema=False, dependencies=[PAGE_MEMBER_GATE])
BAD_FORM = "reviews.error.bad_form"  # an id field that names no one: 表单缺少「…」


def _me(principal: Principal, what: str) -> Member:
    # answering needs a person; a dashboard account without a member is nobody
    if principal.member is None:
        raise PermissionDenied("reviews.error.no_person", what=t(f"reviews.act.{what}"))
    member: Member = principal.member
    return member


def _actor(principal: Principal) -> service.Actor:
    # managing does not: the owner manages every team as an admin does
    return service.actor(principal.member)


@router.get("", response_class=HTMLResponse)
def cycles_page(
    request: Request, session: SessionDep, principal: PagePrincipal, team: PageTeamDep, now: NowDep
) -> HTMLResponse:
    """The team's cycles (open or closed) and what the signed-in member still owes."""
    me = principal.member
    pending = service.pending(session, team=team, reviewer=me, now=now) if me else []
    released = service.released_to(session, team=team, member=me) if me else []
    about_me = service.open_cycles_about(session, team=team, member=me, now=now) if me else []
    return team_page(
        request,
        session,
        principal,
        team,
        "reviews/cycles.html",
        "reviews",
        cycles=[(c, service.is_open(c, team, now)) for c in service.cycles(session, team=team)],
        pending=pending,
        released=released,
        manager=service.may_manage(session, team=team, member=_actor(principal)),
        pool_label=document.pool_label,
        about_me=about_me,
        colleagues=_colleagues(session, team, exclude=me.id if me else None) if about_me else [],
        nominated=request.query_params.get("nominated") == "1",
    )


def _colleagues(session: Session, team: Team, *, exclude: int | None) -> list[Member]:
    """The team's active members (a reviewer picker), by name."""
    people = [
        m
        for m, _role in team_service.team_members(session, team=team)
        if not team_service.has_left(m) and m.id != exclude
    ]
    return sorted(people, key=lambda m: (m.display_name, m.id))


@router.get("/{cycle_id}", response_class=HTMLResponse)
def cycle_page(
    cycle_id: Id,
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    team: PageTeamDep,
    now: NowDep,
) -> HTMLResponse:
    """The director's view: each reviewee's progress, who was asked and the status (never an
    answer), close and release."""
    service.require_manager(session, team=team, member=_actor(principal), what="view")
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    rows = service.requests(session, cycle=cycle)
    subjects = service.subjects(session, cycle=cycle)
    names = team_service.names_by_id(
        session, [r.reviewer_id for r in rows] + [s.reviewee_id for s in subjects]
    )
    people = [
        {
            "subject": s,
            "name": names.get(s.reviewee_id, "?"),
            "submitted": sum(
                1
                for r in rows
                if r.reviewee_id == s.reviewee_id and r.status == RequestStatus.SUBMITTED.value
            ),
            "asked": sum(
                1
                for r in rows
                if r.reviewee_id == s.reviewee_id
                and r.status in (RequestStatus.INVITED.value, RequestStatus.SUBMITTED.value)
            ),
            "requests": [r for r in rows if r.reviewee_id == s.reviewee_id],
        }
        for s in subjects
    ]
    return team_page(
        request,
        session,
        principal,
        team,
        "reviews/cycle.html",
        "reviews",
        cycle=cycle,
        open=service.is_open(cycle, team, now),
        people=people,
        names=names,
        pool_label=document.pool_label,
        status_label=document.status_label,
        # invited-vs-submitted per person is the reviewer's alone; the page shows counts
        shown_status=service.shown_status,
        me=principal.member,
        colleagues=_colleagues(session, team, exclude=None),
        pools=[p.value for p in Pool if p is not Pool.SELF],
        nominated=RequestStatus.NOMINATED.value,
    )


@router.post("/{cycle_id}/requests")
async def add_request_page(
    cycle_id: Id,
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    team: PageTeamDep,
    now: NowDep,
) -> RedirectResponse:
    """Add a reviewer (the director or an admin: invited at once) or nominate a peer (the
    reviewee: waits for approval), as REST ``POST …/requests`` and ``/360评价人`` do."""
    form = await PostedForm.read(request)
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    me = _actor(principal)
    service.add_reviewer(
        session,
        team=team,
        cycle=cycle,
        reviewee=member_of(
            session, team=team, member_id=form.number("reviewee_id", invalid=BAD_FORM)
        ),
        reviewer=member_of(
            session, team=team, member_id=form.number("reviewer_id", invalid=BAD_FORM)
        ),
        pool=form.text("pool") if "pool" in form.data else Pool.PEER.value,
        by=me,
        now=now,
    )
    if service.may_manage(session, team=team, member=me):
        return back(f"/reviews/360/{cycle.id}", team)
    return back("/reviews/360", team, nominated=1)


@router.post("/{cycle_id}/requests/{request_id}/approve")
def approve_page(
    cycle_id: Id,
    request_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    team: PageTeamDep,
    now: NowDep,
) -> RedirectResponse:
    """Approve a nomination (the director or an admin), as ``/批准360`` does."""
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    service.approve(
        session, team=team, cycle=cycle, request_id=request_id, by=_actor(principal), now=now
    )
    return back(f"/reviews/360/{cycle.id}", team)


@router.post("/{cycle_id}/close")
def close_page(
    cycle_id: Id, session: SessionDep, principal: PagePrincipal, team: PageTeamDep, now: NowDep
) -> RedirectResponse:
    """Close the cycle now (the director or an admin)."""
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    service.close(session, team=team, cycle=cycle, by=_actor(principal), now=now)
    return back(f"/reviews/360/{cycle.id}", team)


@router.post("/{cycle_id}/release/{person_id}")
def release_page(
    cycle_id: Id,
    person_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    team: PageTeamDep,
    now: NowDep,
) -> RedirectResponse:
    """Release one reviewee's summary (the director or an admin, once closed)."""
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    reviewee = member_of(session, team=team, member_id=person_id)
    service.release(
        session, team=team, cycle=cycle, reviewee=reviewee, by=_actor(principal), now=now
    )
    return back(f"/reviews/360/{cycle.id}", team)


@router.get("/{cycle_id}/answer/{person_id}", response_class=HTMLResponse)
def answer_page(
    cycle_id: Id,
    person_id: Id,
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    team: PageTeamDep,
    now: NowDep,
) -> HTMLResponse:
    """The form for one review the signed-in member owes (or a note that it is done)."""
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    reviewee = member_of(session, team=team, member_id=person_id)
    mine = {
        p.reviewee.id: p
        for p in service.pending(session, team=team, reviewer=_me(principal, "submit"), now=now)
    }
    return team_page(
        request,
        session,
        principal,
        team,
        "reviews/answer.html",
        "reviews",
        cycle=cycle,
        reviewee=reviewee,
        owed=reviewee.id in mine and mine[reviewee.id].cycle.id == cycle.id,
        done=request.query_params.get("done") == "1",
        labels=lookup("reviews.rating.labels") or [],
    )


@router.post("/{cycle_id}/answer/{person_id}")
async def answer_post(
    cycle_id: Id,
    person_id: Id,
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    team: PageTeamDep,
    now: NowDep,
) -> RedirectResponse:
    """Submit the form (one value per question key; empty ones left out)."""
    form = await PostedForm.read(request)
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    keys = {str(q["key"]) for q in cycle.questions}
    answers = {k: form.text(k) for k in keys if k in form.data}
    service.submit(
        session,
        team=team,
        cycle=cycle,
        reviewee=member_of(session, team=team, member_id=person_id),
        reviewer=_me(principal, "submit"),
        answers=answers,
        now=now,
    )
    return back(f"/reviews/360/{cycle.id}/answer/{person_id}", team, done=1)


@router.post("/{cycle_id}/answer/{person_id}/decline")
async def decline_post(
    cycle_id: Id,
    person_id: Id,
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    team: PageTeamDep,
    now: NowDep,
) -> RedirectResponse:
    """Decline this review (the optional reason goes to the director only)."""
    form = await PostedForm.read(request)
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    service.decline(
        session,
        team=team,
        cycle=cycle,
        reviewee=member_of(session, team=team, member_id=person_id),
        reviewer=_me(principal, "decline"),
        reason=form.text("reason"),
        now=now,
    )
    return back("/reviews/360", team)


@router.get("/{cycle_id}/summary/{person_id}", response_class=HTMLResponse)
def summary_page(
    cycle_id: Id,
    person_id: Id,
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    team: PageTeamDep,
    now: NowDep,
) -> HTMLResponse:
    """One reviewee's summary under the k rule, with its downloads."""
    cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
    found = summary.read(
        session,
        team=team,
        cycle=cycle,
        reviewee=member_of(session, team=team, member_id=person_id),
        reader=_actor(principal),
        now=now,
    )
    base = f"/api/v1/reviews/360/{cycle.id}/summary/{person_id}"
    return team_page(
        request,
        session,
        principal,
        team,
        "reviews/summary.html",
        "reviews",
        found=found,
        pool_label=document.pool_label,
        downloads={ext: f"{base}.{ext}?team_id={team.id}" for ext in ("md", "docx", "pdf")},
    )
