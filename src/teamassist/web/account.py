""" "My account": who you are signed in as, your roles, and your personal API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from teamassist.http import auth, tokens
from teamassist.http.auth import Principal
from teamassist.http.deps import Id, NowDep, SessionDep
from teamassist.http.render import PagePrincipal, render
from teamassist.http.routes import Routes
from teamassist.team import service as team_service

router = Routes(include_in_schema=False)


def _page(
    request: Request, session: SessionDep, principal: Principal, new_token: str | None = None
) -> HTMLResponse:
    teams = {
        team.id: team
        for team in team_service.get_teams(session, workspace_id=principal.workspace.id)
    }
    roles = [
        (teams[team_id], role)
        for team_id, role in auth.roles_of(session, principal.member).items()
        if team_id in teams
    ]
    return render(
        request,
        "account.html",
        principal,
        roles=roles,
        tokens=tokens.listed(session, principal=principal),
        new_token=new_token,
    )


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    """Your roles and personal tokens."""
    return _page(request, session, principal)


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    now: NowDep,
    name: Annotated[str, Form(max_length=200)],
) -> HTMLResponse:
    """Create a token and show it once."""
    _row, raw = tokens.create(session, principal=principal, name=name, now=now)
    return _page(request, session, principal, new_token=raw)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    session: SessionDep, principal: PagePrincipal, now: NowDep, token_id: Id
) -> RedirectResponse:
    """Revoke one of your tokens."""
    tokens.revoke(session, principal=principal, token_id=token_id, now=now)
    return RedirectResponse("/account", status_code=303)
