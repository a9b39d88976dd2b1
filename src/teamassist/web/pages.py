"""Dashboard pages: sign-in, overview, web chat, channel feeds and the outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamassist.adapters.web.models import WebMessage
from teamassist.chat.render import to_html
from teamassist.chat.service import send_as, speaks_for_others
from teamassist.chat.types import Reply
from teamassist.clock import local
from teamassist.exceptions import DomainError, PermissionDenied
from teamassist.http import auth
from teamassist.http.deps import RuntimeDep, SessionDep
from teamassist.http.errors import require_admin
from teamassist.http.render import PagePrincipal, render, templates
from teamassist.http.routes import Routes
from teamassist.http.throttle import LoginThrottle
from teamassist.i18n import t
from teamassist.outbox.models import OutboxMessage
from teamassist.outbox.visible import visible_notices
from teamassist.runtime import Runtime
from teamassist.shared_state import LocalState
from teamassist.team import service as team_service
from teamassist.team.models import Channel
from teamassist.team.names import fold

router = Routes(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    """The sign-in page."""
    return render(request, "login.html", None, error=None)


@router.post("/login", response_model=None)
def login(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    """Check the password and start a session; too many failures answer 429 for a while."""
    now = runtime.clock()
    web = runtime.settings.web
    throttle = _throttle(request, runtime)
    # one counter per account whatever the case or width typed (sign-in folds the name)
    key = throttle.key(fold(username.strip()), request.client.host if request.client else "")
    if not throttle.attempt(key):
        page = render(
            request,
            "login.html",
            None,
            error=t("signin.throttled", minutes=web.login_window_minutes),
        )
        page.status_code = 429
        return page
    account = auth.verify(session, username.strip(), password)
    if account is None:
        return render(request, "login.html", None, error=t("web.login_failed"))
    if password == auth.DEMO_PASSWORD and not web.demo_mode and web.reached_from_elsewhere():
        # The demo's admin/admin, loaded in demo mode and later served to other machines
        # without it: a live default password on a real server (session 26's worth-issue
        # list). `admin password` never sets one this short, so only the demo loader made it.
        # On loopback (a developer's own machine, as in demo mode) it still signs in.
        page = render(request, "login.html", None, error=t("web.login_demo_password"))
        page.status_code = 403
        return page
    if auth.stopped(session, account):
        # the right password of a deactivated member: say why instead of a session that the
        # next page drops (tester s26 A-2); still a counted attempt, as no sign-in happened
        page = render(request, "login.html", None, error=t("web.login_stopped"))
        page.status_code = 403
        return page
    throttle.succeeded(key)
    auth.start_session(request, session, account, now, days=web.session_days)
    return RedirectResponse("/", status_code=303)


def _throttle(request: Request, runtime: Runtime) -> LoginThrottle:
    """This app's password throttle, counted on the runtime's shared state (every replica of
    a scaled-out install together; see ``http.throttle``)."""
    throttle: LoginThrottle | None = getattr(request.app.state, "login_throttle", None)
    if throttle is None:
        web = runtime.settings.web
        clock = runtime.clock
        throttle = request.app.state.login_throttle = LoginThrottle(
            max_failures=web.login_max_failures,
            window=timedelta(minutes=web.login_window_minutes),
            shared=runtime.shared,
            fallback=LocalState(now=lambda: clock().timestamp()),
        )
    return throttle


@router.post("/logout")
def logout(request: Request, session: SessionDep, runtime: RuntimeDep) -> RedirectResponse:
    """End the session: the row is revoked, so a copy of the cookie ends with it."""
    auth.end_session(request, session, runtime.clock())
    return RedirectResponse("/login", status_code=303)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    """Teams, members, the caller's channels and, for the workspace's admins, delivery health.

    A member sees the channels they may read (``team_service.readable_channels``, the rule of
    ``/feeds`` and ``GET /api/v1/channels``); an admin of the default team, who reads the whole
    outbox (``GET /api/v1/outbox``), sees every channel and the workspace's delivery counts
    (tester s26 A-8: a plain member of one team saw every team's channels and those counts)."""
    workspace_id = principal.workspace.id
    teams = team_service.get_teams(session, workspace_id=workspace_id)
    members = {team.id: team_service.team_members(session, team=team) for team in teams}
    default = team_service.default_team(session, workspace_id=workspace_id)
    workspace_admin = auth.is_admin(session, principal, default)
    channels = team_service.readable_channels(
        session, workspace_id=workspace_id, member=None if workspace_admin else principal.member
    )
    counts: dict[str, int] | None = None
    if workspace_admin:
        counts = dict(
            session.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.workspace_id == workspace_id)
                .group_by(OutboxMessage.status)
            ).all()
        )
    return render(
        request,
        "overview.html",
        principal,
        teams=teams,
        members=members,
        channels=channels,
        outbox_counts=counts,
    )


@router.get("/chat", response_class=HTMLResponse)
def chat_page(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    """Talk to the assistant as any member (admins) or as yourself (everyone else: a tester's
    plain member was offered all 308 people, each refused when chosen)."""
    anyone = speaks_for_others(session, principal)
    if anyone or principal.member is None:
        members = team_service.get_members(session, workspace_id=principal.workspace.id)
    else:
        members = [principal.member]
    default = (
        principal.member.handle if principal.member else (members[0].handle if members else "")
    )
    return render(
        request, "chat.html", principal, members=members, speaker=default, as_anyone=anyone
    )


@router.post("/chat/send", response_class=HTMLResponse)
async def chat_send(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    principal: PagePrincipal,
    text: Annotated[str, Form()],
    speaker: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Send one message through the dispatcher and return both bubbles as a fragment."""
    # The command is its own unit of work: commit the request's (sign-in) one first, which
    # returns its connection, so the request never holds two.
    await run_in_threadpool(session.commit)
    try:
        result = await run_in_threadpool(
            send_as,
            runtime.dispatcher,
            principal=principal,
            handle=speaker or None,
            text=text[:8000],
        )
        reply = result.reply
    except DomainError as exc:
        reply = Reply(body=exc.message(), is_error=True)
        # Refused before anyone spoke (speaking as another member without the right, an
        # unknown speaker): the line is the signed-in person's, not the one they chose
        # (tester F5, session 16: zhangsan's refused line was labelled "lisi").
        if principal.member is not None:
            speaker = principal.member.handle
    return templates.TemplateResponse(
        request,
        "_chat_exchange.html",
        {
            "speaker": speaker,
            "text": text,
            "reply": reply,
            "reply_html": to_html(reply) if reply else None,
        },
    )


@router.get("/feeds", response_class=HTMLResponse)
def feeds(
    request: Request, session: SessionDep, principal: PagePrincipal, address: str | None = None
) -> HTMLResponse:
    """Notices delivered to the web channels of the caller's teams (those they are in or
    direct; every team's for the workspace owner) and to their own web inbox. Another team's
    channel asked for by ``address`` is refused (403 ``core.error.not_in_team``, tester s24 F1:
    any member read another team's duty channel, its feedback texts and reporters)."""
    team = team_service.default_team(session, workspace_id=principal.workspace.id)
    readable = team_service.readable_channels(
        session, workspace_id=principal.workspace.id, member=principal.member
    )
    rooms = [
        c
        for c in team_service.channels(session, workspace_id=principal.workspace.id)
        if _web_room(c)
    ]
    # A room is read by address: one another team's channel shares (made before the rule
    # that keeps a web address one team's, tester s29 F-2) is that team's room too, and is
    # not shown to people outside it (`teamassist doctor` lists such pairs).
    unread = {c.address for c in rooms if c not in readable}
    web_channels = [c for c in readable if _web_room(c) and c.address not in unread]
    if address is not None and address not in {c.address for c in web_channels}:
        other = next((c for c in rooms if c not in readable and c.address == address), None)
        if other is not None:
            owner = team_service.get_team(
                session,
                workspace_id=principal.workspace.id,
                team_id=team_service.channel_team_id(other, default=team),
            )
            raise PermissionDenied("core.error.not_in_team", team=owner.name)
    own = f"member:{principal.member.id}" if principal.member else None
    addresses = [c.address for c in web_channels] + ([own] if own else [])
    chosen = address if address in addresses else (addresses[0] if addresses else None)
    messages = _feed(session, chosen, principal.workspace.id) if chosen else []
    return render(
        request,
        "feeds.html",
        principal,
        channels=web_channels,
        inbox=own,
        chosen=chosen,
        messages=messages,
        tz=team.timezone,
        local=local,
    )


def _web_room(channel: Channel) -> bool:
    """A web channel that is a room, not a person's own inbox (``member:<id>``)."""
    return channel.platform == "web" and not channel.address.startswith(team_service.INBOX_PREFIX)


def _feed(session: Session, address: str, workspace_id: int) -> list[WebMessage]:
    """The newest notices at ``address`` queued by this workspace: two workspaces may each
    have a web channel of the same name, and neither sees the other's notices. (By the
    message's own workspace: its outbox row is purged after ``chat.outbox_days``.)"""
    return list(
        session.scalars(
            select(WebMessage)
            .where(WebMessage.address == address, WebMessage.workspace_id == workspace_id)
            .order_by(WebMessage.id.desc())
            .limit(100)
        )
    )


@router.get("/outbox", response_class=HTMLResponse)
def outbox_page(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    """Every outgoing notice with its delivery state (admin only, as ``GET /api/v1/outbox``).

    The queue holds every member's address and the platforms' error texts; a member's own
    notices are already on the feeds page (their inbox), so nothing is lost by refusing here.
    """
    require_admin(
        session, principal, team_service.default_team(session, workspace_id=principal.workspace.id)
    )
    # What the workspace export withholds (an anonymous sender's notices) is left out here too.
    rows = visible_notices(session, workspace=principal.workspace, limit=200)
    return render(request, "outbox.html", principal, rows=rows)
