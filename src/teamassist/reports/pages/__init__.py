"""Dashboard pages of the report packs: the team's packs (``/reports``) and one pack
(``/reports/{id}``) shown in the page, with its downloads and the open reading meeting."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from teamassist import markdown
from teamassist.exceptions import PermissionDenied
from teamassist.http.deps import Id, NowDep, SessionDep
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page
from teamassist.http.routes import Routes
from teamassist.reports import packs, reading
from teamassist.reports.access import readable

router = Routes(prefix="/reports", include_in_schema=False)
# Raw HTML off: text members wrote is escaped; the chart is a data: PNG image.


@router.get("", response_class=HTMLResponse)
def packs_page(
    request: Request, session: SessionDep, principal: PagePrincipal, chosen: PageTeamDep
) -> HTMLResponse:
    """The team's packs the signed-in member may read."""
    found = packs.listing(session, team=chosen, member=principal.member) if principal.member else []
    return team_page(
        request, session, principal, chosen, "reports/list.html", "reports", found=found
    )


@router.get("/{pack_id}", response_class=HTMLResponse)
def pack_page(
    request: Request,
    pack_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
) -> HTMLResponse:
    """One pack in the page, with the open reading on it (if any)."""
    pack = readable(session, principal, chosen, pack_id)
    open_one = reading.current(session, team=chosen)
    state = (
        reading.summary(session, team=chosen, reading=open_one)
        if open_one is not None and open_one.pack_id == pack.id
        else None
    )
    return team_page(
        request,
        session,
        principal,
        chosen,
        "reports/pack.html",
        "reports",
        pack=pack,
        state=state,
        body=markdown.to_html(pack.markdown),
    )


@router.post("/{pack_id}/read")
def pack_read(
    pack_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
) -> RedirectResponse:
    """Mark the pack read in its open reading (as ``/已读``)."""
    pack = readable(session, principal, chosen, pack_id)
    if principal.member is None:
        raise PermissionDenied("reports.error.not_yours", id=pack_id)
    reading.mark_read(session, team=chosen, member=principal.member, now=now)
    return RedirectResponse(f"/reports/{pack.id}?team={chosen.id}", status_code=303)
