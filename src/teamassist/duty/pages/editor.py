"""The rotation editor: pick a rotation, edit its roster, preview the next 4 weeks, then save.

Saving goes through :func:`teamassist.duty.service.change_roster`, like ``/调整值班`` and
``POST .../changes``; the form itself is read in :mod:`.editor_form`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from teamassist.clock import local
from teamassist.duty import service, withdrawals
from teamassist.duty.calendar import CalendarMode
from teamassist.duty.models import Rotation
from teamassist.duty.pages.base import screen_router
from teamassist.duty.pages.editor_form import ACTIONS, EditorForm, Submitted, roster_change
from teamassist.duty.planning import short_turn_note
from teamassist.duty.rotation import Shift
from teamassist.exceptions import DomainError, NotFound
from teamassist.http.auth import Principal, is_admin
from teamassist.http.deps import Id, NowDep, RuntimeDep, SessionDep
from teamassist.http.errors import require_admin
from teamassist.http.fields import storable_id
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page, templates
from teamassist.i18n import lookup, t
from teamassist.team import service as team_service
from teamassist.team.models import Team

router = screen_router()


def _rotation_choice(
    session: Session, principal: Principal, team: Team, rotation_id: str | int | None
) -> Rotation:
    if rotation_id is not None and str(rotation_id).isdigit():
        rotation = service.get_rotation_by_id(
            session,
            workspace_id=principal.workspace.id,
            rotation_id=storable_id(int(rotation_id)),
        )
        if rotation.team_id != team.id:
            raise NotFound("duty.error.no_rotation", name=str(rotation_id), known="-")
        return rotation
    return service.get_rotation(session, team=team)


def change_label(change: str) -> str:
    """What made a version (``create``, ``add``, ``swap``...) in the catalogue's words; a value
    the catalogue does not know yet shows as stored rather than failing the page."""
    label = lookup(f"duty_web.editor.change_label.{change}")
    return str(label) if label else change


@router.get("/editor", response_class=HTMLResponse)
def editor_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
    rotation: str | None = None,
) -> HTMLResponse:
    """Pick a rotation, edit its roster, preview the next 4 weeks, then save (admins)."""
    rotations = service.rotations(session, team=chosen)
    if not rotations:
        return team_page(
            request,
            session,
            principal,
            chosen,
            "duty/editor.html",
            "editor",
            rotation=None,
            rotations=[],
        )
    current = _rotation_choice(session, principal, chosen, rotation)
    spec = service.current_spec(session, chosen, current)
    latest = spec.versions[-1] if spec.versions else None
    team_people = [m for m, _ in team_service.team_members(session, team=chosen)]
    in_rotation = list(latest.member_ids) if latest else []
    by_id = {m.id: m for m in team_people}
    return team_page(
        request,
        session,
        principal,
        chosen,
        "duty/editor.html",
        "editor",
        rotation=current,
        rotations=rotations,
        latest=latest,
        order=[by_id[i] for i in in_rotation if i in by_id],
        others=[m for m in team_people if m.id not in in_rotation],
        today=service.today(chosen, now, service.rotation_handoff(session, chosen, current)),
        actions=ACTIONS,
        calendars=[m.value for m in CalendarMode],
        history=service.versions(session, rotation=current)[-8:],
        change_label=change_label,
        pending={
            v.id
            for v in service.pending_versions(session, rotation=current, after=now)
            if v.change != "create"
        },
    )


@router.post("/editor/withdraw/{version_id}", response_class=HTMLResponse)
def editor_withdraw(
    request: Request,
    version_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
    rotation_id: Annotated[Id, Form()],
) -> HTMLResponse:
    """Withdraw a change that has not taken effect yet (admins): the chat's /撤销排班变更 and
    REST's DELETE .../versions/{id} call the same service function."""
    require_admin(session, principal, chosen)
    rotation = _rotation_choice(session, principal, chosen, rotation_id)
    withdrawals.withdraw_change(
        session, team=chosen, rotation=rotation, version_id=version_id, now=now
    )
    return editor_page(request, session, principal, chosen, now, str(rotation.id))


def _rows(preview: service.Preview, names: dict[int, str]) -> list[dict[str, Any]]:
    """Before/after side by side, one row per duty date."""

    def by_day(shifts: Sequence[Shift]) -> dict[date, str]:
        found: dict[date, list[str]] = {}
        for shift in shifts:
            label = "、".join(names.get(m, str(m)) for m in shift.member_ids) or t(
                "duty_web.nobody"
            )
            found.setdefault(shift.duty_date, [])
            if label not in found[shift.duty_date]:
                found[shift.duty_date].append(label)
        return {d: " / ".join(v) for d, v in found.items()}

    before, after = by_day(preview.before), by_day(preview.after)
    rows = []
    for day in sorted(set(before) | set(after)):
        old, new = before.get(day, t("duty_web.day_off")), after.get(day, t("duty_web.day_off"))
        rows.append({"day": day, "before": old, "after": new, "changed": old != new})
    return rows


def _fragment(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def _editor_action(
    request: Request,
    session: Session,
    principal: Principal,
    runtime: Any,
    chosen: Team,
    form: EditorForm,
    *,
    save: bool,
) -> HTMLResponse:
    try:
        rotation = _rotation_choice(session, principal, chosen, form.rotation_id)
        if save:
            require_admin(session, principal, chosen)
        change = roster_change(session, principal, chosen, form)
        if save:
            preview = service.change_roster(
                session,
                team=chosen,
                rotation=rotation,
                change=change,
                now=runtime.clock(),
                by=principal.member,
            )
        else:
            preview = service.preview_change(
                session, team=chosen, rotation=rotation, change=change, now=runtime.clock()
            )
    except DomainError as exc:
        session.rollback()  # nothing of a refused change may be written
        return _fragment(request, "duty/_editor_error.html", exc.status_code, message=exc.message())
    ids = {m for s in [*preview.before, *preview.after] for m in s.member_ids}
    names = team_service.names_by_id(session, ids)
    return _fragment(
        request,
        "duty/_preview.html",
        rotation=rotation,
        preview=preview,
        rows=_rows(preview, names),
        moved=[names.get(i, str(i)) for i in preview.moved_member_ids],
        short_turn=short_turn_note(rotation.name, preview.new_version),
        saved=save,
        effective=local(preview.effective_at, chosen.timezone),
        is_admin=is_admin(session, principal, chosen),
        weekdays=lookup("duty_web.roster.weekdays"),
    )


@router.post("/editor/preview", response_class=HTMLResponse)
def editor_preview(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    runtime: RuntimeDep,
    form: Submitted,
) -> HTMLResponse:
    """The next 4 weeks before/after the change and whose shifts move; nothing is saved."""
    if isinstance(form, str):
        return _fragment(request, "duty/_editor_error.html", 422, message=form)
    return _editor_action(request, session, principal, runtime, chosen, form, save=False)


@router.post("/editor/save", response_class=HTMLResponse)
def editor_save(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    runtime: RuntimeDep,
    form: Submitted,
) -> HTMLResponse:
    """Save the change as a new version (admins), through the same service as chat and REST."""
    if isinstance(form, str):
        return _fragment(request, "duty/_editor_error.html", 422, message=form)
    return _editor_action(request, session, principal, runtime, chosen, form, save=True)
