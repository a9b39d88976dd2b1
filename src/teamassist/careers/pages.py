"""Dashboard pages: ``/career-plans`` (my plans; the director also sees the team's status list)
and ``/career-plans/{id}`` (the document, and the edit form for its person)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from teamassist import markdown
from teamassist.careers import service, templates_store
from teamassist.careers.models import STATUSES
from teamassist.exceptions import Invalid, NotFound
from teamassist.http.deps import Id, NowDep, SessionDep
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page
from teamassist.http.routes import Routes
from teamassist.team.models import Member

router = Routes(prefix="/career-plans", include_in_schema=False)
# Raw HTML off: what people wrote is escaped.
_Text = Annotated[str, Form(max_length=service.MAX_TEXT)]


@router.get("", response_class=HTMLResponse)
def plans_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
) -> HTMLResponse:
    """My plans; for the team's director, the team's plans of this year and their state."""
    member = principal.member
    plans = service.mine(session, member=member) if member is not None else []
    states = (
        service.team_states(
            session, team=chosen, viewer=member, year=service.year_of(now, chosen), now=now
        )
        if member is not None and service.is_director(session, team=chosen, member=member)
        else None
    )
    return team_page(
        request,
        session,
        principal,
        chosen,
        "careers/list.html",
        "careers",
        plans=plans,
        states=states,
        year=service.year_of(now, chosen),
        now=now,
        state_of=service.state_of,
    )


def _viewer(principal: PagePrincipal, plan_id: int) -> Member:
    if principal.member is None:
        raise NotFound("careers.error.no_plan", id=plan_id)
    return principal.member


@router.get("/{plan_id}", response_class=HTMLResponse)
def plan_page(
    request: Request,
    plan_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
) -> HTMLResponse:
    """One plan: its document; the edit form for its person (404 for anyone but the person
    and the team's director)."""
    viewer = _viewer(principal, plan_id)
    plan = service.get(session, plan_id=plan_id, viewer=viewer)
    goals = list(plan.goals) + [None] * (service.MAX_GOALS - len(plan.goals))
    return team_page(
        request,
        session,
        principal,
        chosen,
        "careers/plan.html",
        "careers",
        plan=plan,
        goals=goals,
        statuses=STATUSES,
        editable=service.may_edit(plan, viewer),
        body=markdown.to_html(templates_store.plan_markdown(session, plan=plan)),
    )


def _day(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise Invalid("careers.error.bad_date_text", value=value.strip()[:20]) from error


@router.post("/{plan_id}")
def plan_save(
    plan_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    now: NowDep,
    direction: _Text = "",
    strengths: _Text = "",
    notes: _Text = "",
    goal_title: Annotated[list[str] | None, Form()] = None,
    goal_evidence: Annotated[list[str] | None, Form()] = None,
    goal_date: Annotated[list[str] | None, Form()] = None,
    goal_status: Annotated[list[str] | None, Form()] = None,
) -> RedirectResponse:
    """The person saves the form (every field; a goal row without a title is left out)."""
    viewer = _viewer(principal, plan_id)
    plan = service.get(session, plan_id=plan_id, viewer=viewer)
    titles, evidence = goal_title or [], goal_evidence or []
    dates, statuses = goal_date or [], goal_status or []
    goals = [
        service.GoalIn(
            title=title,
            evidence=evidence[i] if i < len(evidence) else "",
            target_date=_day(dates[i] if i < len(dates) else ""),
            status=statuses[i] if i < len(statuses) else "planned",
        )
        for i, title in enumerate(titles)
        if title.strip()
    ]
    service.update(
        session,
        plan=plan,
        member=viewer,
        now=now,
        direction=direction,
        strengths=strengths,
        notes=notes,
        goals=goals,
    )
    return RedirectResponse(f"/career-plans/{plan.id}?team={plan.team_id}&saved=1", status_code=303)
