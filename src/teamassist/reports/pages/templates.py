"""The report template editor (``/reports/templates``): a team's templates, one template's text
with a preview on the team's live data, save, and reset to the default. Everyone in the team
may read; the director and the admins may preview, save and reset (``editor.may_edit``). A text
that does not render, or goes over the sandbox's budget, is shown again with the friendly error
and nothing is stored. Registered before the pack pages, whose ``/reports/{pack_id}`` would
otherwise take the path."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from teamassist import markdown
from teamassist.exceptions import Invalid, PermissionDenied
from teamassist.http.auth import Principal
from teamassist.http.deps import NowDep, SessionDep
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page
from teamassist.http.routes import Routes
from teamassist.reports import editor, kinds, templates_store
from teamassist.reports.access import require_editor
from teamassist.team import service as team_service
from teamassist.team.models import Team

router = Routes(prefix="/reports/templates", include_in_schema=False)
# Raw HTML off: the preview shows what members wrote, escaped.
# A longer text goes back to the editor with the limit and its length (web/form_errors.py).
_Body = Annotated[str, Form(max_length=templates_store.MAX_TEMPLATE)]


def _require_reader(session: Session, principal: Principal, team: Team) -> None:
    member = principal.member
    if member is None or editor.may_edit(session, team=team, member=member):
        return
    if team_service.role_of(session, team=team, member=member) is None:
        raise PermissionDenied("reports.error.not_member", team=team.name)


@router.get("", response_class=HTMLResponse)
def templates_page(
    request: Request, session: SessionDep, principal: PagePrincipal, chosen: PageTeamDep
) -> HTMLResponse:
    """The team's templates, each with whether the team changed it."""
    _require_reader(session, principal, chosen)
    return team_page(
        request,
        session,
        principal,
        chosen,
        "reports/templates.html",
        "reports",
        states=editor.states(session, team=chosen),
        editable=editor.may_edit(session, team=chosen, member=principal.member),
    )


def _editor(
    request: Request,
    session: Session,
    principal: Principal,
    team: Team,
    name: str,
    *,
    body: str,
    preview: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    page = team_page(
        request,
        session,
        principal,
        team,
        "reports/template_edit.html",
        "reports",
        template=name,
        body=body,
        custom=templates_store.is_custom(session, team=team, name=name),
        editable=editor.may_edit(session, team=team, member=principal.member),
        preview=markdown.to_html(preview) if preview is not None else None,
        error=error,
        limit=templates_store.MAX_TEMPLATE,
    )
    if error is not None:
        page.status_code = 422  # the text was refused; nothing changed
    return page


@router.get("/{name}", response_class=HTMLResponse)
def template_page(
    request: Request,
    name: str,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
) -> HTMLResponse:
    """One template's text (editable for the director and admins)."""
    _require_reader(session, principal, chosen)
    body = templates_store.source(session, team=chosen, name=kinds.check_template(name))
    return _editor(request, session, principal, chosen, name, body=body)


@router.post("/{name}/preview", response_class=HTMLResponse)
def template_preview(
    request: Request,
    name: str,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
    body: _Body = "",
) -> HTMLResponse:
    """The posted text rendered on the team's live data, beside the text; nothing is stored."""
    require_editor(session, principal, chosen)
    kinds.check_template(name)
    try:
        shown = editor.preview(session, team=chosen, name=name, body=body, now=now)
    except Invalid as error:
        return _editor(request, session, principal, chosen, name, body=body, error=error.message())
    return _editor(request, session, principal, chosen, name, body=body, preview=shown)


@router.post("/{name}", response_class=HTMLResponse, response_model=None)
def template_save(
    request: Request,
    name: str,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
    body: _Body = "",
) -> HTMLResponse | RedirectResponse:
    """Store the text once it renders (then back to the page, saved); a refused text is shown
    again with the error."""
    require_editor(session, principal, chosen)
    kinds.check_template(name)
    try:
        editor.save(session, team=chosen, name=name, body=body, actor=principal.member, now=now)
    except Invalid as error:
        return _editor(request, session, principal, chosen, name, body=body, error=error.message())
    return RedirectResponse(f"/reports/templates/{name}?team={chosen.id}&saved=1", status_code=303)


@router.post("/{name}/reset")
def template_reset(
    name: str, session: SessionDep, principal: PagePrincipal, chosen: PageTeamDep
) -> RedirectResponse:
    """Back to the default text."""
    require_editor(session, principal, chosen)
    templates_store.reset(session, team=chosen, name=name)
    return RedirectResponse(f"/reports/templates/{name}?team={chosen.id}&saved=1", status_code=303)
