"""Dashboard pages: sign-in, overview, web chat, channel feeds and the outbox."""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamassist import domains
from teamassist.adapters.web.models import WebMessage
from teamassist.chat.render import to_html
from teamassist.chat.service import send_as
from teamassist.chat.types import Reply
from teamassist.clock import local
from teamassist.exceptions import DomainError
from teamassist.i18n import t
from teamassist.outbox.models import OutboxMessage
from teamassist.team import service as team_service
from teamassist.web import auth
from teamassist.web.auth import Principal
from teamassist.web.deps import RuntimeDep, SessionDep

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("teamassist") / "web" / "templates"))
templates.env.globals["t"] = t
templates.env.filters["reply_html"] = lambda payload: to_html(Reply.model_validate(payload))


class LoginRequired(Exception):
    """Raised by page dependencies; rendered as a redirect to /login."""


def page_principal(request: Request, session: SessionDep, runtime: RuntimeDep) -> Principal:
    """The signed-in user; demo mode signs in as the demo admin on first visit."""
    principal = auth.session_principal(request, session)
    if principal is None and runtime.settings.web.demo_mode:
        account = auth.demo_account(session)
        if account is not None:
            request.session[auth.SESSION_KEY] = account.id
            principal = auth.session_principal(request, session)
    if principal is None:
        raise LoginRequired()
    return principal


PagePrincipal = Annotated[Principal, Depends(page_principal)]


def render(
    request: Request, name: str, principal: Principal | None, **context: Any
) -> HTMLResponse:
    """Render a page with the shared layout context."""
    runtime = request.app.state.runtime
    return templates.TemplateResponse(
        request,
        name,
        {
            "principal": principal,
            "demo_mode": runtime.settings.web.demo_mode,
            "nav_items": [{"href": h, "label": t(k)} for h, k in domains.dashboard_nav()],
            **context,
        },
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    """The sign-in page."""
    return render(request, "login.html", None, error=None)


@router.post("/login", response_model=None)
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    """Check the password and start a session."""
    account = auth.verify(session, username.strip(), password)
    if account is None:
        return render(request, "login.html", None, error=t("web.login_failed"))
    request.session[auth.SESSION_KEY] = account.id
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    """End the session."""
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    """Teams, members, channels and delivery health at a glance."""
    teams = team_service.get_teams(session, workspace_id=principal.workspace.id)
    members = {team.id: team_service.team_members(session, team=team) for team in teams}
    channels = team_service.channels(session, workspace_id=principal.workspace.id)
    counts = dict(
        session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.workspace_id == principal.workspace.id)
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
    """Talk to the assistant as any member (admins) or as yourself."""
    members = team_service.get_members(session, workspace_id=principal.workspace.id)
    default = (
        principal.member.handle if principal.member else (members[0].handle if members else "")
    )
    return render(request, "chat.html", principal, members=members, speaker=default)


@router.post("/chat/send", response_class=HTMLResponse)
async def chat_send(
    request: Request,
    runtime: RuntimeDep,
    principal: PagePrincipal,
    text: Annotated[str, Form()],
    speaker: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Send one message through the dispatcher and return both bubbles as a fragment."""
    try:
        result = await run_in_threadpool(
            send_as,
            runtime.dispatcher,
            runtime.factory,
            principal=principal,
            handle=speaker or None,
            text=text[:8000],
        )
        reply = result.reply
    except DomainError as exc:
        reply = Reply(body=exc.message(), is_error=True)
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
    """Notices delivered to web channels and web inboxes."""
    web_channels = [
        c
        for c in team_service.channels(session, workspace_id=principal.workspace.id)
        if c.platform == "web"
    ]
    own = f"member:{principal.member.id}" if principal.member else None
    addresses = [c.address for c in web_channels] + ([own] if own else [])
    chosen = address if address in addresses else (addresses[0] if addresses else None)
    messages = _feed(session, chosen) if chosen else []
    team = team_service.default_team(session, workspace_id=principal.workspace.id)
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


def _feed(session: Session, address: str) -> list[WebMessage]:
    return list(
        session.scalars(
            select(WebMessage)
            .where(WebMessage.address == address)
            .order_by(WebMessage.id.desc())
            .limit(100)
        )
    )


@router.get("/outbox", response_class=HTMLResponse)
def outbox_page(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    """Every outgoing notice with its delivery state."""
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.workspace_id == principal.workspace.id)
            .order_by(OutboxMessage.id.desc())
            .limit(200)
        )
    )
    return render(request, "outbox.html", principal, rows=rows)
