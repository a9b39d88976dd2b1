"""``/qualifications``: the team's framework, the viewer's own level and assessments, and for
the director and admins the team's levels with two forms per person: set the current level
with evidence, record a year's assessment. The forms call the service functions REST and chat
call (``set_level``, ``assess``), after the same ``require_assessor`` check."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from teamassist.clock import local
from teamassist.exceptions import Invalid
from teamassist.http.auth import Principal, is_admin
from teamassist.http.deps import Id, NowDep, SessionDep
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page
from teamassist.http.routes import Routes
from teamassist.qualifications import messages, service
from teamassist.qualifications.models import Outcome, QualLevel
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.web.page_forms import PostedForm, back, member_of

router = Routes(prefix="/qualifications", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def qualifications_page(
    request: Request, session: SessionDep, principal: PagePrincipal, team: PageTeamDep
) -> HTMLResponse:
    """The framework for everyone; one's own level; everyone's levels (and the forms) for the
    director and admins only."""
    me = principal.member
    mine = service.profile(session, team=team, person=me) if me is not None else None
    sees_all = is_admin(session, principal, team) or service.is_director(team, me)
    everyone = service.team_levels(session, team=team) if sees_all else []
    names = team_service.names_by_id(
        session, [a.assessor_id for a, _lv in (mine.assessments if mine else [])]
    )
    framework = service.framework(session, team=team)
    return team_page(
        request,
        session,
        principal,
        team,
        "qualifications/qualifications.html",
        "qualifications",
        framework=framework,
        mine=mine,
        everyone=everyone,
        sees_all=sees_all,
        names=names,
        outcome_label=messages.OUTCOME_LABEL,
        outcomes=[o.value for o in Outcome],
        choices=[
            (f"{t.key}:{lv.code}", f"{t.name} {lv.code} {lv.title}")
            for t, lvs in framework
            for lv in lvs
        ],
    )


async def _assessor_form(
    request: Request, session: Session, principal: Principal, team: Team, member_id: int
) -> tuple[PostedForm, Member, QualLevel]:
    """What both forms start with: the director's or an admin's check (as REST), the posted
    fields, the person (of this team) and the level the form names (required)."""
    service.require_assessor(team, principal.member, admin=is_admin(session, principal, team))
    form = await PostedForm.read(request)
    person = member_of(session, team=team, member_id=member_id)
    level = service.find_level(session, team=team, code=form.text("level", required=True))
    return form, person, level


@router.post("/people/{member_id}/level")
async def level_post(
    member_id: Id,
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    team: PageTeamDep,
    now: NowDep,
) -> RedirectResponse:
    """Set a person's current level with evidence (the director or an admin), as
    ``PUT /api/v1/qualifications/people/{handle}/level``."""
    form, person, level = await _assessor_form(request, session, principal, team, member_id)
    today = local(now, team.timezone).date()
    service.set_level(
        session,
        team=team,
        person=person,
        level=level,
        evidence=form.text("evidence"),
        actor=principal.member,
        since=form.day("since", default=today, invalid="qualifications.error.bad_date"),
        now=now,
    )
    return back("/qualifications", team, anchor=f"person-{person.id}", saved=1)


@router.post("/people/{member_id}/assessments")
async def assessment_post(
    member_id: Id,
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    team: PageTeamDep,
    now: NowDep,
) -> RedirectResponse:
    """Record the assessment of the effective date's year (the director or an admin), as
    ``POST /api/v1/qualifications/people/{handle}/assessments``."""
    form, person, level = await _assessor_form(request, session, principal, team, member_id)
    try:
        outcome = Outcome(form.text("outcome"))
    except ValueError:
        raise Invalid("qualifications.error.outcome") from None
    today = local(now, team.timezone).date()
    service.assess(
        session,
        team=team,
        person=person,
        level=level,
        outcome=outcome,
        evidence=form.text("evidence"),
        assessor=principal.member,
        effective=form.day(
            "effective_date", default=today, invalid="qualifications.error.bad_date"
        ),
        now=now,
    )
    return back("/qualifications", team, anchor=f"person-{person.id}", saved=1)
