"""``/one-on-ones`` and ``/one-on-ones/{id}``: the caller's pairs, and one pair as the caller
may see it (the same :func:`flows.view` as chat and REST: a private note of the other person is
never loaded). A form post redirects back (``?saved=1``); a move onto a day off adds
``&day_off=<occurrence>``, and the page shows the warning the chat reply would give."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from teamassist.clock import ensure_utc
from teamassist.exceptions import Invalid, PermissionDenied
from teamassist.http.auth import is_admin
from teamassist.http.deps import NowDep, RuntimeDep, SessionDep
from teamassist.http.fields import Id
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page
from teamassist.http.routes import Routes
from teamassist.one_on_ones import agenda, changes, flows, messages, service
from teamassist.one_on_ones.models import OneOnOneMeeting
from teamassist.ports import Workdays
from teamassist.team.models import Team

router = Routes(prefix="/one-on-ones", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def pairs_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    runtime: RuntimeDep,
    now: NowDep,
) -> HTMLResponse:
    """The caller's pairs with their slot and next occurrence."""
    rows = flows.mine(
        session,
        team=chosen,
        viewer=principal.member,
        admin=is_admin(session, principal, chosen),
        now=now,
        workdays=runtime.ports.get(Workdays),
    )
    names = flows.names(session, [p for p, _ in rows])
    return team_page(
        request,
        session,
        principal,
        chosen,
        "one_on_ones/pairs.html",
        "one_on_ones",
        rows=rows,
        names=names,
        title=messages.title,
        slot=messages.slot_text,
        line=lambda m: messages.meeting_line(chosen, m, now),
    )


@router.get("/{pair_id}", response_class=HTMLResponse)
def pair_page(
    pair_id: Id,
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    runtime: RuntimeDep,
    now: NowDep,
    day_off: int | None = None,
) -> HTMLResponse:
    """One pair: schedule (with move and cancel forms for who may), agenda (the caller's
    view), prep pack; after a move onto a day off (``?day_off=<id>``) its warning."""
    admin = is_admin(session, principal, chosen)
    pair = service.get(session, team=chosen, pair_id=pair_id, viewer=principal.member, admin=admin)
    workdays = runtime.ports.get(Workdays)
    seen = flows.view(
        session, team=chosen, pair=pair, viewer=principal.member, now=now, workdays=workdays
    )
    warnings: list[str] = []
    if day_off is not None:
        moved = service.get_meeting(session, pair=pair, meeting_id=day_off)
        warnings = changes.move_warnings(
            session, team=chosen, pair=pair, meeting=moved, workdays=workdays, now=now
        )
    prep = messages.prep_lines(chosen, seen.prep, seen.names) if seen.prep else []
    return team_page(
        request,
        session,
        principal,
        chosen,
        "one_on_ones/pair.html",
        "one_on_ones",
        pair=pair,
        seen=seen,
        title=messages.title(pair, seen.names),
        slot=messages.slot_text(pair),
        line=lambda m: messages.meeting_line(chosen, m, now),
        when=lambda v: messages.when(v, chosen, now=now),
        carried=agenda.carried,
        prep=[messages.plain(p) for p in prep],
        warnings=warnings,
        arranger=admin or service.is_party(pair, principal.member),
        changeable=lambda m: m.status == service.SCHEDULED and ensure_utc(m.start_at) > now,
        local_input=lambda m: messages.local_input(m.start_at, chosen),
    )


def _back(pair_id: int, team_id: int, day_off: int | None = None) -> RedirectResponse:
    warn = f"&day_off={day_off}" if day_off is not None else ""
    return RedirectResponse(f"/one-on-ones/{pair_id}?team={team_id}&saved=1{warn}", status_code=303)


@router.post("/{pair_id}/agenda")
def add_item_page(
    pair_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    runtime: RuntimeDep,
    now: NowDep,
    text: Annotated[str, Form()],
    private: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Add an agenda item (``private`` checked: only the caller reads it)."""
    admin = is_admin(session, principal, chosen)
    pair = service.get(session, team=chosen, pair_id=pair_id, viewer=principal.member, admin=admin)
    if principal.member is None:
        raise PermissionDenied("one_on_ones.error.not_arranger")
    service.replan(session, team=chosen, pair=pair, now=now, workdays=runtime.ports.get(Workdays))
    agenda.add(
        session, pair=pair, author=principal.member, text=text, private=bool(private), now=now
    )
    return _back(pair.id, chosen.id)


@router.post("/{pair_id}/agenda/{item_id}/check")
def check_item_page(
    pair_id: Id,
    item_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
) -> RedirectResponse:
    """Check an item off."""
    admin = is_admin(session, principal, chosen)
    pair = service.get(session, team=chosen, pair_id=pair_id, viewer=principal.member, admin=admin)
    if principal.member is None:
        raise PermissionDenied("one_on_ones.error.not_arranger")
    item = agenda.get(session, pair=pair, item_id=item_id, viewer=principal.member)
    agenda.check(session, pair=pair, item=item, by=principal.member, now=now)
    return _back(pair.id, chosen.id)


def _start(text: str, *, team: Team, meeting: OneOnOneMeeting, now: datetime) -> datetime:
    """The moment a move form names: the datetime-local value (the whole of it: an offset the
    input never sends is read, not cut off), else the chat forms through the shared reader, so
    the page and ``/改期一对一`` agree; nothing may follow the date and time."""
    value = text.strip()
    if "T" in value:
        try:
            wall = datetime.fromisoformat(value)
        except ValueError:
            raise Invalid("one_on_ones.error.bad_when", value=value[:40]) from None
        changes.check_year(wall.date(), team=team, now=now)
        return wall if wall.tzinfo is not None else wall.replace(tzinfo=ZoneInfo(team.timezone))
    wall, rest = changes.read_start(value, team=team, meeting=meeting, now=now)
    if rest:
        raise Invalid("one_on_ones.error.bad_when", value=value[:40])
    return wall


@router.post("/{pair_id}/meetings/{meeting_id}/move")
def move_page(
    pair_id: Id,
    meeting_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    runtime: RuntimeDep,
    now: NowDep,
    start: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Move one occurrence to a team-local ``YYYY-MM-DDTHH:MM`` (the datetime-local input) or
    anything ``/改期一对一`` reads (``１２月１０日 １０：００``, ``12月1日下午6点``; a date alone
    keeps the time of day); ``Invalid`` ``one_on_ones.error.bad_when`` for anything else."""
    admin = is_admin(session, principal, chosen)
    pair = service.get(session, team=chosen, pair_id=pair_id, viewer=principal.member, admin=admin)
    meeting = service.get_meeting(session, pair=pair, meeting_id=meeting_id, lock=True)
    wall = _start(start, team=chosen, meeting=meeting, now=now)
    warnings = changes.reschedule(
        session,
        team=chosen,
        pair=pair,
        meeting=meeting,
        start_at=wall,
        by=principal.member,
        admin=admin,
        now=now,
        workdays=runtime.ports.get(Workdays),
        note=note.strip() or None,
    )
    return _back(pair.id, chosen.id, meeting.id if warnings else None)


@router.post("/{pair_id}/meetings/{meeting_id}/cancel")
def cancel_page(
    pair_id: Id,
    meeting_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
    note: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Cancel one occurrence; its open items carry over to the next."""
    admin = is_admin(session, principal, chosen)
    pair = service.get(session, team=chosen, pair_id=pair_id, viewer=principal.member, admin=admin)
    meeting = service.get_meeting(session, pair=pair, meeting_id=meeting_id, lock=True)
    service.cancel(
        session,
        pair=pair,
        meeting=meeting,
        by=principal.member,
        admin=admin,
        now=now,
        note=note.strip() or None,
    )
    return _back(pair.id, chosen.id)
