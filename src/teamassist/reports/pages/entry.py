"""The weekly entry form (``/reports/entry``): the signed-in member's 周报 fields for the week
they report on, the same as ``/周报`` and ``PUT /api/v1/reports/entries/me``
(:func:`teamassist.reports.entries.write`). Registered before the pack pages, whose
``/reports/{pack_id}`` would otherwise take the path."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from teamassist.clock import local
from teamassist.exceptions import Invalid, PermissionDenied
from teamassist.http.deps import NowDep, SessionDep
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page
from teamassist.http.routes import Routes
from teamassist.reports import entries

router = Routes(prefix="/reports/entry", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def entry_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
    saved: bool = False,
) -> HTMLResponse:
    """The form, filled with what the member already wrote for that week."""
    if principal.member is None:
        raise PermissionDenied("reports.error.member_only")
    week = entries.week_of_writing(local(now, chosen.timezone).date())
    found = entries.get(session, team=chosen, member=principal.member, week=week)
    values = {f: (getattr(found, f) if found is not None else "") for f in entries.FIELDS}
    return team_page(
        request,
        session,
        principal,
        chosen,
        "reports/entry.html",
        "reports",
        week=week,
        fields=entries.FIELDS,
        values=values,
        limit=entries.MAX_FIELD,
        saved=saved,
    )


@router.post("")
def entry_save(
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
    done: Annotated[str, Form()] = "",
    not_done: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
    risks: Annotated[str, Form()] = "",
    help: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Write every field as the form has it (a cleared field is cleared); all blank is
    refused (``reports.error.entry_empty``) and changes nothing."""
    if principal.member is None:
        raise PermissionDenied("reports.error.member_only")
    values = {"done": done, "not_done": not_done, "next": next, "risks": risks, "help": help}
    if not any(v.strip() for v in values.values()):
        raise Invalid("reports.error.entry_empty")
    week = entries.week_of_writing(local(now, chosen.timezone).date())
    entries.write(session, team=chosen, member=principal.member, week=week, values=values, now=now)
    return RedirectResponse(f"/reports/entry?team={chosen.id}&saved=1", status_code=303)
