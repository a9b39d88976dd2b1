"""Calendar feeds (iCal subscriptions): yours, or all of the team's for admins; create, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse

from teamassist.duty import feeds, service
from teamassist.duty.pages.base import screen_router
from teamassist.exceptions import DomainError
from teamassist.http.auth import is_admin
from teamassist.http.deps import NowDep, RuntimeDep, SessionDep
from teamassist.http.errors import require_admin
from teamassist.http.fields import Id, storable_id
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page

router = screen_router()


@router.get("/feeds", response_class=HTMLResponse)
def feeds_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
) -> HTMLResponse:
    """Your calendar feeds (admins: all of the team's), with create and revoke."""
    admin = is_admin(session, principal, chosen)
    rows = feeds.feeds(session, team=chosen, member=None if admin else principal.member)
    return team_page(
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
    chosen: PageTeamDep,
    runtime: RuntimeDep,
    rotation_id: Annotated[str, Form()] = "",
    replace: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Create a feed of yourself (or of a rotation) and show its URL once."""
    rotation = None
    if rotation_id.isascii() and rotation_id.isdigit():
        rotation = service.get_rotation_by_id(
            session, workspace_id=principal.workspace.id, rotation_id=storable_id(int(rotation_id))
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
        replace=replace == "1",
        via="page",
    )
    admin = is_admin(session, principal, chosen)
    rows = feeds.feeds(session, team=chosen, member=None if admin else principal.member)
    return team_page(
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
    feed_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
) -> HTMLResponse:
    """Revoke one of your feeds (admins: any)."""
    feed = feeds.get_feed(session, team=chosen, feed_id=feed_id)
    if not feeds.owns(feed, principal.member):
        require_admin(session, principal, chosen)
    feeds.revoke_feed(session, feed=feed, now=now)
    return feeds_page(request, session, principal, chosen)
