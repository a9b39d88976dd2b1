"""``/meetings``: the team's upcoming occurrences (planned first if need be), each with its
invitation; admins, leads and the director move (a local date and time) or cancel one. A form
post redirects back (``?saved=1``); a refused change shows the catalogue's error."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from teamassist.clock import local, plan_horizon
from teamassist.exceptions import Invalid, PermissionDenied
from teamassist.http.auth import is_admin
from teamassist.http.deps import NowDep, RuntimeDep, SessionDep
from teamassist.http.fields import Id
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page
from teamassist.http.routes import Routes
from teamassist.meetings import changes, messages, service, when
from teamassist.ports import Workdays

router = Routes(prefix="/meetings", include_in_schema=False)


def _organiser(session: SessionDep, principal: PagePrincipal, team: PageTeamDep) -> bool:
    try:
        changes.require_organiser(
            session, team=team, member=principal.member, admin=is_admin(session, principal, team)
        )
    except PermissionDenied:
        return False
    return True


@router.get("", response_class=HTMLResponse)
def upcoming_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    runtime: RuntimeDep,
    now: NowDep,
    day_off: int | None = None,
) -> HTMLResponse:
    """The team's occurrences not over yet, by start; after a move onto a day off
    (``?day_off=<id>``) the warning the chat reply would give."""
    workdays = runtime.ports.get(Workdays)
    service.ensure_planned(session, team=chosen, now=now, workdays=workdays)
    rows = service.upcoming(session, team=chosen, now=now, limit=30)
    warnings: list[str] = []
    if day_off is not None:
        moved = service.get(session, team=chosen, occurrence_id=day_off)
        warnings = changes.day_off_warnings(team=chosen, occ=moved, workdays=workdays, now=now)
    return team_page(
        request,
        session,
        principal,
        chosen,
        "meetings/upcoming.html",
        "meetings",
        rows=rows,
        when=lambda value: messages.when(value, chosen),
        place=messages.place,
        organiser=_organiser(session, principal, chosen),
        warnings=warnings,
    )


# What a datetime-local input sends: ``YYYY-MM-DDTHH:MM``, or with ``:SS``; nothing else.
_LOCAL_INPUT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?", re.ASCII)


def _start(text: str, *, zone: str, now: datetime, keep: datetime) -> datetime:
    """The moment a move form names: the whole datetime-local value, else the chat forms (the
    page and ``/改期`` agree, full-width digits included); nothing may follow the date and time.

    A value that starts like the input's (``2026-12-12T``) must be all of it: its first 16
    characters were read and the rest dropped, so ``…T10:00 明天``, ``…T10:00+08:00`` (an
    offset the input never sends) and ``…T10:00:99`` moved the meeting to 10:00."""
    text = text.strip()
    if re.match(r"\d{4}-\d{2}-\d{2}T", text, re.ASCII):
        try:
            moment = datetime.fromisoformat(text) if _LOCAL_INPUT.fullmatch(text) else None
        except ValueError:  # a second or a day that does not exist (:99, 02-30)
            moment = None
        if moment is None:
            raise Invalid("meetings.error.bad_when", value=text[:40])
        when.check_year(moment.date(), latest=plan_horizon(now, zone))
        return moment.replace(tzinfo=ZoneInfo(zone))
    found = when.split_when(
        text.split(), today=local(now, zone).date(), zone=zone, keep=keep.time()
    )
    if found is None or found[1]:
        raise Invalid("meetings.error.bad_when", value=text[:40])
    return found[0]


def _back(team_id: int, day_off: int | None = None) -> RedirectResponse:
    warn = f"&day_off={day_off}" if day_off is not None else ""
    return RedirectResponse(f"/meetings?team={team_id}&saved=1{warn}", status_code=303)


@router.post("/{occurrence_id}/move")
def move_page(
    occurrence_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
    runtime: RuntimeDep,
    start: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Move one occurrence to a local ``YYYY-MM-DDTHH:MM`` (the datetime-local input) or to
    anything ``/改期`` reads (``１２月１０日 １０：００``, ``明天 10:00``; no time keeps the
    meeting's); ``Invalid`` ``meetings.error.bad_when`` for anything else."""
    changes.require_organiser(
        session, team=chosen, member=principal.member, admin=is_admin(session, principal, chosen)
    )
    occ = service.get(session, team=chosen, occurrence_id=occurrence_id, lock=True)
    start_at = _start(
        start, zone=chosen.timezone, now=now, keep=local(occ.start_at, chosen.timezone)
    )
    warnings = changes.reschedule(
        session,
        team=chosen,
        occ=occ,
        start_at=start_at,
        now=now,
        workdays=runtime.ports.get(Workdays),
        note=note,
    )
    return _back(chosen.id, occ.id if warnings else None)


@router.post("/{occurrence_id}/cancel")
def cancel_page(
    occurrence_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
    note: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Cancel one occurrence."""
    changes.require_organiser(
        session, team=chosen, member=principal.member, admin=is_admin(session, principal, chosen)
    )
    occ = service.get(session, team=chosen, occurrence_id=occurrence_id, lock=True)
    changes.call_off(session, team=chosen, occ=occ, now=now, note=note)
    return _back(chosen.id)
