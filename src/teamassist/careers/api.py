"""``/api/v1/career-plans``: start plans (the director), read and write one's own, the
director's status list and reading, the team's template, and the plan's document.

Acting as a member is required to start, read or write plans: the workspace owner's token
(no member) is nobody's director and nobody's plan, so it gets 403 there. The template may be
changed by the team's director or an admin (it holds no one's data).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Response, status

from teamassist import documents
from teamassist.careers import flows, schemas, service, templates_store
from teamassist.careers.models import CareerPlan
from teamassist.clock import plan_horizon, read_in_zone
from teamassist.exceptions import Invalid, NotFound, PermissionDenied
from teamassist.http.auth import Principal, is_admin
from teamassist.http.deps import Id, NowDep, PrincipalDep, RuntimeDep, SessionDep, TeamDep
from teamassist.http.routes import Routes
from teamassist.http.team_gate import MEMBER_GATE
from teamassist.ports import Documents
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

router = Routes(prefix="/career-plans", tags=["career-plans"])


def _member(principal: Principal) -> Member:
    """The member behind the request: a director's list and starting plans are a person's
    acts. The workspace owner's token has no member; it was told only the plan's person may
    change it, about a list it had asked to read (tester F14, session 19)."""
    if principal.member is None:
        raise PermissionDenied("careers.error.no_member")
    return principal.member


@router.post("", status_code=status.HTTP_201_CREATED)
def start(
    body: schemas.PlanStart,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
    runtime: RuntimeDep,
) -> schemas.StartResult:
    """Start plans for ``member_ids`` (default: every active member) of ``?team_id=`` due at
    ``due_at``: each new one gets a DM and an action item (403 not the director, 409 someone
    has left, 422 a past deadline, someone outside the team)."""
    director = _member(principal)
    # The ends of what a datetime holds are refused before the zone arithmetic, which overflows
    # there (0001-01-01T00:00+01:00, 9999-12-31T23:59-12:00): past, or too far.
    if body.due_at.year < 2000:
        raise Invalid("careers.error.due_past", due=body.due_at.date().isoformat())
    if body.due_at.year > 2100:
        raise Invalid(
            "careers.error.due_too_far",
            due=body.due_at.date().isoformat(),
            latest=plan_horizon(now, team.timezone).isoformat(),
        )
    due_at = read_in_zone(body.due_at, team.timezone)  # no offset: the team's wall clock
    if body.member_ids is None:
        people = [
            m
            for m, _role in team_service.team_members(session, team=team)
            if not team_service.has_left(m)
        ]
    else:
        found = team_service.members_by_id(session, body.member_ids)
        missing = [i for i in body.member_ids if i not in found]
        if missing:
            raise NotFound("core.error.unknown_member", who=str(missing[0]))
        people = [found[i] for i in body.member_ids]
    started = flows.start(
        session,
        team=team,
        director=director,
        people=people,
        due_at=due_at,
        request=body.request,
        now=now,
        public_url=runtime.settings.web.public_url,
        documents=runtime.ports.get(Documents),
        year=body.year,
    )
    return schemas.StartResult(
        started=[s.plan.id for s in started if s.created],
        already=[s.plan.id for s in started if not s.created],
        warnings=flows.leaving(started, team),
    )


@router.get("", dependencies=[MEMBER_GATE])
def mine(
    session: SessionDep, principal: PrincipalDep, now: NowDep, team_id: Id | None = None
) -> list[schemas.PlanRead]:
    """The signed-in member's plans, newest year first (none for the owner's token); with
    ``?team_id=``, those that team started, which the caller must be in (403 otherwise, as on
    every team route: a member of another team read 200 ``[]``, tester s26 B-13)."""
    if principal.member is None:
        return []
    member = principal.member
    return [
        schemas.plan_read(p, member, viewer=member, now=now)
        for p in service.mine(session, member=member)
        if team_id is None or p.team_id == team_id
    ]


@router.get("/team")
def team_states(
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
    year: int | None = None,
) -> list[schemas.PlanStateRead]:
    """The director's list of ``?team_id=``'s plans of ``year`` (default: this year)."""
    viewer = _member(principal)
    chosen = year if year is not None else service.year_of(now, team)
    rows = service.team_states(session, team=team, viewer=viewer, year=chosen, now=now)
    return [schemas.state_read(r) for r in rows]


def _may_template(session: SessionDep, principal: Principal, team: Team) -> None:
    if principal.member is not None and service.is_director(
        session, team=team, member=principal.member
    ):
        return
    if not is_admin(session, principal, team):
        raise PermissionDenied("careers.error.not_director", team=team.name)


@router.get("/template")
def template(session: SessionDep, principal: PrincipalDep, team: TeamDep) -> dict[str, object]:
    """The team's plan template text and whether it is the team's own."""
    _may_template(session, principal, team)
    return {
        "body": templates_store.source(session, team=team),
        "custom": templates_store.is_custom(session, team=team),
    }


@router.put("/template")
def save_template(
    body: schemas.TemplateBody,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> dict[str, object]:
    """Store the team's template once it renders the sample plan (422 with the line else)."""
    _may_template(session, principal, team)
    templates_store.save(session, team=team, body=body.body, actor=principal.member, now=now)
    return {"body": body.body, "custom": True}


@router.delete("/template", status_code=status.HTTP_204_NO_CONTENT)
def reset_template(session: SessionDep, principal: PrincipalDep, team: TeamDep) -> None:
    """Back to the default template."""
    _may_template(session, principal, team)
    templates_store.reset(session, team=team)


def _readable(session: SessionDep, principal: Principal, plan_id: int) -> tuple[CareerPlan, Member]:
    viewer = principal.member
    if viewer is None:
        raise NotFound("careers.error.no_plan", id=plan_id)
    return service.get(session, plan_id=plan_id, viewer=viewer), viewer


def _person(session: SessionDep, plan: CareerPlan) -> Member:
    person = session.get(Member, plan.member_id)
    assert person is not None  # the foreign key
    return person


@router.get("/{plan_id}")
def read(
    plan_id: Id, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> schemas.PlanRead:
    """One plan (its person or the team's director; 404 for anyone else)."""
    plan, viewer = _readable(session, principal, plan_id)
    return schemas.plan_read(plan, _person(session, plan), viewer=viewer, now=now)


@router.put("/{plan_id}")
def write(
    plan_id: Id,
    body: schemas.PlanUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> schemas.PlanRead:
    """The person writes their plan (403 for the director, 422 a fourth goal or a bad date)."""
    plan, viewer = _readable(session, principal, plan_id)
    service.update(
        session,
        plan=plan,
        member=viewer,
        now=now,
        direction=body.direction,
        strengths=body.strengths,
        notes=body.notes,
        goals=schemas.goals_in(body.goals) if body.goals is not None else None,
    )
    return schemas.plan_read(plan, _person(session, plan), viewer=viewer, now=now)


def _download(content: bytes, media_type: str, plan: CareerPlan, ext: str) -> Response:
    name = plan.title.replace("/", "-") + f".{ext}"
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.get("/{plan_id}/document.md")
def document_md(plan_id: Id, session: SessionDep, principal: PrincipalDep) -> Response:
    """The plan's document in Markdown."""
    plan, _viewer = _readable(session, principal, plan_id)
    markdown = templates_store.plan_markdown(session, plan=plan)
    return _download(markdown.encode("utf-8"), documents.MARKDOWN_TYPE, plan, "md")


@router.get("/{plan_id}/document.docx")
def document_docx(plan_id: Id, session: SessionDep, principal: PrincipalDep) -> Response:
    """The plan's document as a Word file."""
    plan, _viewer = _readable(session, principal, plan_id)
    markdown = templates_store.plan_markdown(session, plan=plan)
    content = documents.markdown_to_docx(markdown, title=plan.title)
    return _download(content, documents.DOCX_TYPE, plan, "docx")


@router.get("/{plan_id}/document.pdf")
def document_pdf(plan_id: Id, session: SessionDep, principal: PrincipalDep) -> Response:
    """The plan's document as a PDF (503 ``careers.error.unavailable`` without pango)."""
    plan, _viewer = _readable(session, principal, plan_id)
    markdown = templates_store.plan_markdown(session, plan=plan)
    content = documents.pdf_or_503(
        markdown, title=plan.title, error_key="careers.error.unavailable"
    )
    return _download(content, documents.PDF_TYPE, plan, "pdf")
