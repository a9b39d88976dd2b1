"""``/qualifications``: the team's framework, the viewer's own level and assessments, and for
the director and admins the team's levels with two forms per person: set the current level
with evidence, record a year's assessment. The forms call the service functions REST and chat
call (``set_level``, ``assess``), after the same ``require_assessor`` check."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from teamassist.clock import local
from teamassist.exceptions import Invalid, NotFound
from teamassist.http.auth import is_admin
from teamassist.http.deps import Id, NowDep, SessionDep
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page
from teamassist.qualifications import messages, service
from teamassist.qualifications.models import Outcome
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

router = APIRouter(prefix="/qualifications", include_in_schema=False)


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


def _person(session: Session, team: Team, member_id: int) -> Member:
    person = session.get(Member, member_id)
    if person is None or team_service.role_of(session, team=team, member=person) is None:
        raise NotFound("core.error.not_found", what=f"#{member_id}")
    return person


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _day(form: FormData, name: str, default: date) -> date:
    raw = _text(form, name).strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid("qualifications.error.bad_date", text=raw[:20]) from None


def _back(team: Team, person: Member) -> RedirectResponse:
    return RedirectResponse(
        f"/qualifications?team={team.id}&saved=1#person-{person.id}", status_code=303
    )


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
    service.require_assessor(team, principal.member, admin=is_admin(session, principal, team))
    form = await request.form()
    person = _person(session, team, member_id)
    level = service.find_level(session, team=team, code=_text(form, "level"))
    service.set_level(
        session,
        team=team,
        person=person,
        level=level,
        evidence=_text(form, "evidence"),
        actor=principal.member,
        since=_day(form, "since", local(now, team.timezone).date()),
        now=now,
    )
    return _back(team, person)


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
    service.require_assessor(team, principal.member, admin=is_admin(session, principal, team))
    form = await request.form()
    person = _person(session, team, member_id)
    level = service.find_level(session, team=team, code=_text(form, "level"))
    try:
        outcome = Outcome(_text(form, "outcome"))
    except ValueError:
        raise Invalid("qualifications.error.outcome") from None
    service.assess(
        session,
        team=team,
        person=person,
        level=level,
        outcome=outcome,
        evidence=_text(form, "evidence"),
        assessor=principal.member,
        effective=_day(form, "effective_date", local(now, team.timezone).date()),
        now=now,
    )
    return _back(team, person)
