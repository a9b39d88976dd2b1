"""Dashboard form for the feedback desk's settings (admins); the same service function as REST."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from teamassist.exceptions import DomainError
from teamassist.feedback import settings as feedback_settings
from teamassist.http.auth import Principal
from teamassist.http.deps import SessionDep
from teamassist.http.errors import require_admin
from teamassist.http.fields import Id
from teamassist.http.render import PagePrincipal, render
from teamassist.http.routes import Routes
from teamassist.i18n import t
from teamassist.team import service as team_service
from teamassist.team.models import Team

# Included by ``feedback.pages`` under its /feedback prefix.
router = Routes(include_in_schema=False)


def _team(session: Session, principal: Principal, team_id: int | None) -> Team:
    if team_id is None:  # the caller's own team, as every page naming none (5fe22fa)
        return team_service.home_team(
            session, workspace_id=principal.workspace.id, member=principal.member
        )
    return team_service.get_team(session, workspace_id=principal.workspace.id, team_id=team_id)


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    team: Team,
    *,
    error: str | None = None,
    status_code: int = 200,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    # the people who may be the default owner: active members of the team (update_desk's rule).
    # team_members gives (member, role) pairs: handed over as such, every option was blank and
    # saving any other field cleared the owner (tester F1, session 21)
    members = [m for m, _role in team_service.team_members(session, team=team) if m.active]
    response = render(
        request,
        "feedback/settings.html",
        principal,
        team=team,
        shown=typed or _saved(team),
        members=members,
        error=error,
        done=request.query_params.get("done") == "1" and error is None,
    )
    response.status_code = status_code
    return response


def _saved(team: Team) -> dict[str, str]:
    """The form's fields as saved (their text, as a browser posts them)."""
    desk = feedback_settings.desk_settings(team)
    return {
        "default_owner": desk.default_owner or "",
        "renotify_minutes": str(desk.renotify_minutes),
        "escalate_minutes": str(desk.escalate_minutes),
        "work_start": desk.work_hours.start.strftime("%H:%M"),
        "work_end": desk.work_hours.end.strftime("%H:%M"),
        "escalate_in_quiet_hours": "on" if desk.escalate_in_quiet_hours else "",
    }


# The form's label of a field a refusal names by its key (REST callers see the key).
_LABELS = {
    "renotify_minutes": "feedback_web.settings.renotify_minutes",
    "escalate_minutes": "feedback_web.settings.escalate_minutes",
}


def _refusal(exc: DomainError) -> str:
    """The refusal's text, naming a field by the label the form shows."""
    label = _LABELS.get(str(exc.params.get("name", "")))
    if label is None:
        return exc.message()
    return DomainError(exc.key, **{**exc.params, "name": t(label).split("（")[0]}).message()


@router.get("/settings", response_class=HTMLResponse)
def settings_page(
    request: Request, session: SessionDep, principal: PagePrincipal, team_id: Id | None = None
) -> HTMLResponse:
    """The desk's settings with a form to change them."""
    team = _team(session, principal, team_id)
    require_admin(session, principal, team)
    return _page(request, session, principal, team)


def _minutes(value: str) -> Any:
    return int(value) if value.strip().lstrip("-").isdigit() else value


@router.post("/settings", response_model=None)
def save_settings(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    default_owner: Annotated[str, Form()] = "",
    renotify_minutes: Annotated[str, Form()] = "",
    escalate_minutes: Annotated[str, Form()] = "",
    work_start: Annotated[str, Form()] = "",
    work_end: Annotated[str, Form()] = "",
    escalate_in_quiet_hours: Annotated[str, Form()] = "",
    team_id: Id | None = None,
) -> Response:
    """Save the form; a refused value is shown on the page and nothing changes."""
    team = _team(session, principal, team_id)
    require_admin(session, principal, team)
    changes: dict[str, Any] = {
        "default_owner": default_owner or None,
        "renotify_minutes": _minutes(renotify_minutes),
        "escalate_minutes": _minutes(escalate_minutes),
        "work_hours": [work_start, work_end],
        "escalate_in_quiet_hours": escalate_in_quiet_hours == "on",
    }
    try:
        feedback_settings.update_desk(session, team=team, changes=changes)
    except DomainError as exc:
        session.rollback()
        # What was typed stays in the form: fixing one field and saving again must not
        # silently put the others back (tester 2 F9, session 21).
        typed = {
            "default_owner": default_owner,
            "renotify_minutes": renotify_minutes,
            "escalate_minutes": escalate_minutes,
            "work_start": work_start,
            "work_end": work_end,
            "escalate_in_quiet_hours": "on" if escalate_in_quiet_hours == "on" else "",
        }
        return _page(
            request,
            session,
            principal,
            team,
            error=_refusal(exc),
            status_code=exc.status_code,
            typed=typed,
        )
    return RedirectResponse(f"/feedback/settings?team_id={team.id}&done=1", status_code=303)
