"""Dashboard pages of the duty desk: today's duty, the roster month view, sign-in history, the
fairness report, calendar feeds, and the rotation editor with a preview before saving.

Pages read through the same services as the chat commands and REST; the editor saves with
:func:`teamassist.duty.service.change_roster`, like ``/调整值班`` and ``POST .../changes``.
"""

from __future__ import annotations

import calendar as monthcal
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from teamassist.clock import local
from teamassist.duty import fairness, feeds, service, signin
from teamassist.duty.calendar import CalendarMode, holiday_name
from teamassist.duty.models import Rotation
from teamassist.duty.planning import RosterChange
from teamassist.duty.rotation import SOURCE_OVERRIDE, SOURCE_SWAP, Shift
from teamassist.exceptions import DomainError, NotFound
from teamassist.http.auth import Principal
from teamassist.http.deps import RuntimeDep, SessionDep
from teamassist.http.errors import require_admin
from teamassist.http.render import PagePrincipal, render, templates
from teamassist.i18n import lookup, t
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

router = APIRouter(prefix="/duty", include_in_schema=False)

ACTIONS = ("add", "remove", "swap", "replan", "params")
MAX_HISTORY_DAYS = 400


# -- shared helpers ------------------------------------------------------------------------------


def _team(session: Session, principal: Principal, team_id: int | None) -> Team:
    if team_id is None:
        return team_service.default_team(session, workspace_id=principal.workspace.id)
    return team_service.get_team(session, workspace_id=principal.workspace.id, team_id=team_id)


def _is_admin(session: Session, principal: Principal, team: Team) -> bool:
    try:
        require_admin(session, principal, team)
    except DomainError:
        return False
    return True


def _names(people: dict[int, Member]) -> dict[int, str]:
    return {i: m.display_name for i, m in people.items()}


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    team: Team,
    name: str,
    tab: str,
    **context: Any,
) -> HTMLResponse:
    return render(
        request,
        name,
        principal,
        team=team,
        tab=tab,
        is_admin=_is_admin(session, principal, team),
        local=local,
        tz=team.timezone,
        **context,
    )


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise DomainError("duty_web.error.bad_date", value=value[:20]) from exc


# -- today -------------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def today_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    runtime: RuntimeDep,
    team: int | None = None,
) -> HTMLResponse:
    """Who holds each rotation now, and whether they signed in."""
    chosen = _team(session, principal, team)
    now = runtime.clock()
    statuses = signin.duty_status(session, team=chosen, at=now)
    rows = []
    for entry in service.on_duty(session, team=chosen, at=now):
        rows.append(
            {
                "rotation": entry.rotation,
                "duty_date": entry.duty_date,
                "people": [s for s in statuses if s.rotation.id == entry.rotation.id],
            }
        )
    return _page(
        request, session, principal, chosen, "duty/today.html", "today", rows=rows, now=now
    )


# -- roster month view -------------------------------------------------------------------------


@dataclass
class MonthCell:
    """One day of the month grid."""

    day: date
    in_month: bool
    is_today: bool
    holiday: str | None
    workday_swap: bool  # a 调休 weekend working day
    day_off: bool  # a statutory holiday day off
    rotations: list[tuple[Rotation, list[Shift]]]


def _holiday_label(name: str | None) -> str | None:
    """The Chinese name of a ``chinese_calendar`` holiday (its English name if unknown)."""
    if name is None:
        return None
    label = lookup(f"duty_web.holiday_names.{name}")
    return str(label) if label else name


def _month(value: str | None, today: date) -> date:
    if not value:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in value.split("-", 1))
        return date(year, month, 1)
    except ValueError as exc:
        raise DomainError("duty_web.error.bad_date", value=value[:20]) from exc


@router.get("/roster", response_class=HTMLResponse)
def roster_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    runtime: RuntimeDep,
    month: str | None = None,
    team: int | None = None,
) -> HTMLResponse:
    """The roster of a month as a calendar grid: holidays, 调休, overrides and swaps marked."""
    chosen = _team(session, principal, team)
    today = service.today(chosen, runtime.clock())
    first = _month(month, today)
    days_in_month = monthcal.monthrange(first.year, first.month)[1]
    grid_start = first - timedelta(days=first.weekday())
    last = first + timedelta(days=days_in_month - 1)
    grid_end = last + timedelta(days=6 - last.weekday())
    view = service.roster(
        session, team=chosen, first=grid_start, days=(grid_end - grid_start).days + 1
    )
    cells = []
    for row in view.days:
        name = _holiday_label(holiday_name(row.day))
        kind = fairness.day_kind(row.day)
        cells.append(
            MonthCell(
                day=row.day,
                in_month=row.day.month == first.month,
                is_today=row.day == today,
                holiday=name,
                workday_swap=bool(name) and kind == fairness.WORKDAY,
                day_off=kind == fairness.HOLIDAY,
                rotations=row.cells,
            )
        )
    weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    warnings = [t("duty.roster_warning", rotation=r.name, year=y) for r, y in view.warnings]
    return _page(
        request,
        session,
        principal,
        chosen,
        "duty/roster.html",
        "roster",
        month=first,
        weeks=weeks,
        names=_names(view.people),
        previous=previous.strftime("%Y-%m"),
        following=following.strftime("%Y-%m"),
        this_month=today.strftime("%Y-%m"),
        warnings=warnings,
        override=SOURCE_OVERRIDE,
        swap=SOURCE_SWAP,
        weekdays=lookup("duty_web.roster.weekdays"),
    )


# -- sign-in history ---------------------------------------------------------------------------


@router.get("/sign-ins", response_class=HTMLResponse)
def sign_ins_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    runtime: RuntimeDep,
    first: str | None = None,
    last: str | None = None,
    rotation: str | None = None,
    member: str | None = None,
    team: int | None = None,
) -> HTMLResponse:
    """Sign-in history with filters (dates, rotation, person); late sign-ins marked."""
    chosen = _team(session, principal, team)
    today = service.today(chosen, runtime.clock())
    last_day = _parse_date(last) or today
    first_day = _parse_date(first) or last_day - timedelta(days=30)
    if last_day < first_day or (last_day - first_day).days > MAX_HISTORY_DAYS:
        raise DomainError(
            "duty_feeds.error.bad_range", first=first_day.isoformat(), last=last_day.isoformat()
        )
    rotation_id = int(rotation) if rotation and rotation.isdigit() else None
    member_id = int(member) if member and member.isdigit() else None
    rows = [
        r
        for r in signin.sign_ins(session, team=chosen, first=first_day, last=last_day)
        if (rotation_id is None or r.rotation_id == rotation_id)
        and (member_id is None or r.member_id == member_id)
    ]
    rows.reverse()  # newest first
    threshold = fairness.late_after(chosen)
    zone_rows = []
    for r in rows:
        signed = local(r.signed_in_at, chosen.timezone)
        late = signed > datetime.combine(r.duty_date, threshold, tzinfo=signed.tzinfo)
        zone_rows.append({"row": r, "signed": signed, "late": late})
    rotations = {r.id: r for r in service.rotations(session, team=chosen)}
    members = [m for m, _ in team_service.team_members(session, team=chosen)]
    return _page(
        request,
        session,
        principal,
        chosen,
        "duty/sign_ins.html",
        "sign_ins",
        rows=zone_rows,
        rotations=rotations,
        members=members,
        names={m.id: m.display_name for m in members},
        first=first_day,
        last=last_day,
        rotation_id=rotation_id,
        member_id=member_id,
        late_after=threshold.strftime("%H:%M"),
    )


# -- fairness ----------------------------------------------------------------------------------


@router.get("/fairness", response_class=HTMLResponse)
def fairness_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    runtime: RuntimeDep,
    first: str | None = None,
    last: str | None = None,
    rotation: str | None = None,
    team: int | None = None,
) -> HTMLResponse:
    """The fairness report as a table and a stacked bar chart of duty days per person."""
    chosen = _team(session, principal, team)
    now = runtime.clock()
    last_day = _parse_date(last) or service.today(chosen, now)
    first_day = _parse_date(first) or last_day - timedelta(days=89)
    rotations = service.rotations(session, team=chosen)
    rotation_row = next((r for r in rotations if rotation and str(r.id) == rotation), None)
    result = fairness.report(
        session, team=chosen, first=first_day, last=last_day, now=now, rotation=rotation_row
    )
    names = _names(fairness.member_names(session, result))
    series = fairness.group_by_kind(result)
    chart = {
        "labels": [names.get(p.member_id, str(p.member_id)) for p in result.people],
        "datasets": [
            {"label": t("duty_web.fairness.workdays"), "data": series.get(fairness.WORKDAY, [])},
            {"label": t("duty_web.fairness.weekends"), "data": series.get(fairness.WEEKEND, [])},
            {"label": t("duty_web.fairness.holidays"), "data": series.get(fairness.HOLIDAY, [])},
        ],
    }
    query = f"from={first_day}&to={last_day}" + (
        f"&rotation={rotation_row.id}" if rotation_row else ""
    )
    return _page(
        request,
        session,
        principal,
        chosen,
        "duty/fairness.html",
        "fairness",
        result=result,
        names=names,
        chart=chart,
        rotations=rotations,
        rotation_id=rotation_row.id if rotation_row else None,
        csv_url=f"/api/v1/duty/fairness.csv?{query}&team_id={chosen.id}",
    )


# -- calendar feeds ----------------------------------------------------------------------------


@router.get("/feeds", response_class=HTMLResponse)
def feeds_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    team: int | None = None,
) -> HTMLResponse:
    """Your calendar feeds (admins: all of the team's), with create and revoke."""
    chosen = _team(session, principal, team)
    admin = _is_admin(session, principal, chosen)
    rows = feeds.feeds(session, team=chosen, member=None if admin else principal.member)
    return _page(
        request,
        session,
        principal,
        chosen,
        "duty/feeds.html",
        "feeds",
        rows=rows,
        rotations=service.rotations(session, team=chosen),
        created=None,
    )


@router.post("/feeds", response_class=HTMLResponse)
def create_feed_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    runtime: RuntimeDep,
    rotation_id: Annotated[str, Form()] = "",
    team: int | None = None,
) -> HTMLResponse:
    """Create a feed of yourself (or of a rotation) and show its URL once."""
    chosen = _team(session, principal, team)
    rotation = None
    if rotation_id.isdigit():
        rotation = service.get_rotation_by_id(
            session, workspace_id=principal.workspace.id, rotation_id=int(rotation_id)
        )
    if rotation is None and principal.member is None:
        raise DomainError("duty.error.no_member")
    created = feeds.create_feed(
        session,
        team=chosen,
        now=runtime.clock(),
        rotation=rotation,
        member=None if rotation is not None else principal.member,
        by=principal.member,
    )
    admin = _is_admin(session, principal, chosen)
    rows = feeds.feeds(session, team=chosen, member=None if admin else principal.member)
    return _page(
        request,
        session,
        principal,
        chosen,
        "duty/feeds.html",
        "feeds",
        rows=rows,
        rotations=service.rotations(session, team=chosen),
        created=feeds.feed_url(runtime.settings.web.public_url, created.token),
    )


@router.post("/feeds/{feed_id}/revoke", response_class=HTMLResponse)
def revoke_feed_page(
    request: Request,
    feed_id: int,
    session: SessionDep,
    principal: PagePrincipal,
    runtime: RuntimeDep,
    team: int | None = None,
) -> HTMLResponse:
    """Revoke one of your feeds (admins: any)."""
    chosen = _team(session, principal, team)
    feed = feeds.get_feed(session, team=chosen, feed_id=feed_id)
    if not feeds.owns(feed, principal.member):
        require_admin(session, principal, chosen)
    feeds.revoke_feed(session, feed=feed, now=runtime.clock())
    return feeds_page(request, session, principal, team)


# -- rotation editor ---------------------------------------------------------------------------


def _rotation_choice(
    session: Session, principal: Principal, team: Team, rotation_id: str | int | None
) -> Rotation:
    if rotation_id is not None and str(rotation_id).isdigit():
        rotation = service.get_rotation_by_id(
            session, workspace_id=principal.workspace.id, rotation_id=int(rotation_id)
        )
        if rotation.team_id != team.id:
            raise NotFound("duty.error.no_rotation", name=str(rotation_id), known="-")
        return rotation
    return service.get_rotation(session, team=team)


@router.get("/editor", response_class=HTMLResponse)
def editor_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    runtime: RuntimeDep,
    rotation: str | None = None,
    team: int | None = None,
) -> HTMLResponse:
    """Pick a rotation, edit its roster, preview the next 4 weeks, then save (admins)."""
    chosen = _team(session, principal, team)
    rotations = service.rotations(session, team=chosen)
    if not rotations:
        return _page(
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
    return _page(
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
        today=service.today(
            chosen, runtime.clock(), service.rotation_handoff(session, chosen, current)
        ),
        actions=ACTIONS,
        calendars=[m.value for m in CalendarMode],
        history=service.versions(session, rotation=current)[-8:],
    )


@dataclass
class EditorForm:
    """The editor's fields as submitted."""

    rotation_id: str
    action: str
    member_ids: list[int]
    effective_date: str
    turn_days: str
    people_per_turn: str
    handoff_time: str
    calendar: str


def _int_or_none(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise DomainError("duty_web.error.bad_number", value=value[:20]) from exc


def _change(session: Session, principal: Principal, team: Team, form: EditorForm) -> RosterChange:
    if form.action not in ACTIONS:
        raise DomainError("duty.error.bad_action", action=form.action[:20])
    people = service.members_by_id(session, form.member_ids)
    members: list[Member] = []
    for member_id in form.member_ids:
        member = people.get(member_id)
        if member is None or member.workspace_id != principal.workspace.id:
            raise NotFound("core.error.unknown_member", who=str(member_id))
        members.append(member)
    service.check_team_members(session, team=team, members=members)
    return RosterChange(
        action=form.action,
        member_ids=tuple(form.member_ids),
        effective_date=_parse_date(form.effective_date),
        turn_days=_int_or_none(form.turn_days),
        people_per_turn=_int_or_none(form.people_per_turn),
        handoff_time=form.handoff_time.strip() or None,
        calendar=form.calendar.strip() or None,
    )


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


def _editor_form(
    rotation_id: str,
    action: str,
    member_ids: list[str],
    effective_date: str,
    turn_days: str,
    people_per_turn: str,
    handoff_time: str,
    calendar: str,
) -> EditorForm:
    ids: list[int] = []
    for value in member_ids:
        if not value.strip().isdigit():
            raise DomainError("duty_web.error.bad_number", value=value[:20])
        ids.append(int(value))
    return EditorForm(
        rotation_id,
        action,
        ids,
        effective_date,
        turn_days,
        people_per_turn,
        handoff_time,
        calendar,
    )


def _fragment(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def _editor_action(
    request: Request,
    session: Session,
    principal: Principal,
    runtime: Any,
    team: int | None,
    form: EditorForm,
    *,
    save: bool,
) -> HTMLResponse:
    chosen = _team(session, principal, team)
    try:
        rotation = _rotation_choice(session, principal, chosen, form.rotation_id)
        if save:
            require_admin(session, principal, chosen)
        change = _change(session, principal, chosen, form)
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
    names = _names(service.members_by_id(session, ids))
    return _fragment(
        request,
        "duty/_preview.html",
        rotation=rotation,
        preview=preview,
        rows=_rows(preview, names),
        moved=[names.get(i, str(i)) for i in preview.moved_member_ids],
        saved=save,
        effective=local(preview.effective_at, chosen.timezone),
        is_admin=_is_admin(session, principal, chosen),
        weekdays=lookup("duty_web.roster.weekdays"),
    )


_FormStr = Annotated[str, Form()]


def _submitted(
    rotation_id: _FormStr = "",
    action: _FormStr = "",
    member_ids: Annotated[list[str] | None, Form()] = None,
    effective_date: _FormStr = "",
    turn_days: _FormStr = "",
    people_per_turn: _FormStr = "",
    handoff_time: _FormStr = "",
    calendar: _FormStr = "",
) -> EditorForm | str:
    """The editor's fields, read once for preview and save; a bad field comes back as its text."""
    try:
        return _editor_form(
            rotation_id,
            action,
            member_ids or [],
            effective_date,
            turn_days,
            people_per_turn,
            handoff_time,
            calendar,
        )
    except DomainError as exc:
        return exc.message()


_Submitted = Annotated[EditorForm | str, Depends(_submitted)]


@router.post("/editor/preview", response_class=HTMLResponse)
def editor_preview(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    runtime: RuntimeDep,
    form: _Submitted,
    team: int | None = None,
) -> HTMLResponse:
    """The next 4 weeks before/after the change and whose shifts move; nothing is saved."""
    if isinstance(form, str):
        return _fragment(request, "duty/_editor_error.html", 422, message=form)
    return _editor_action(request, session, principal, runtime, team, form, save=False)


@router.post("/editor/save", response_class=HTMLResponse)
def editor_save(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    runtime: RuntimeDep,
    form: _Submitted,
    team: int | None = None,
) -> HTMLResponse:
    """Save the change as a new version (admins), through the same service as chat and REST."""
    if isinstance(form, str):
        return _fragment(request, "duty/_editor_error.html", 422, message=form)
    return _editor_action(request, session, principal, runtime, team, form, save=True)
