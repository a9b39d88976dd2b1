"""The dashboard's bindings page (admins): bound tenants with unbind buttons, a one-time code,
and the platforms' real chats to make channels of. Same service functions as REST and CLI."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from teamassist.enums import ChannelPurpose
from teamassist.exceptions import DomainError
from teamassist.http.auth import Principal
from teamassist.http.deps import NowDep, RuntimeDep, SessionDep
from teamassist.http.errors import require_admin
from teamassist.http.fields import Id
from teamassist.http.render import PagePrincipal, render
from teamassist.http.routes import Routes
from teamassist.ports import Directory
from teamassist.runtime import Runtime
from teamassist.team import binding, directory
from teamassist.team import service as team_service
from teamassist.team.binding import NewCode

router = Routes(include_in_schema=False)
PATH = "/bindings"


def _admin(session: Session, principal: Principal) -> None:
    """The caller must be an admin of the workspace's default team (as ``binding_api``)."""
    require_admin(
        session, principal, team_service.default_team(session, workspace_id=principal.workspace.id)
    )


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    runtime: Runtime,
    *,
    code: NewCode | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    workspace_id = principal.workspace.id
    response = render(
        request,
        "binding/bindings.html",
        principal,
        bindings=binding.bindings(session, workspace_id=workspace_id),
        chats=directory.platform_chats(
            session, runtime.ports.get(Directory), workspace_id=workspace_id
        ),
        kinds=binding.KINDS,
        purposes=[p.value for p in ChannelPurpose if p is not ChannelPurpose.WEBHOOK],
        code=code,
        minutes=int(binding.CODE_TTL.total_seconds() // 60),
        error=error,
    )
    response.status_code = status_code
    return response


@router.get(PATH, response_class=HTMLResponse)
def bindings_page(
    request: Request, session: SessionDep, principal: PagePrincipal, runtime: RuntimeDep
) -> HTMLResponse:
    """Bound tenants, a code form, and the real chats."""
    _admin(session, principal)
    return _page(request, session, principal, runtime)


@router.post(f"{PATH}/codes", response_class=HTMLResponse)
def new_code(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    runtime: RuntimeDep,
    now: NowDep,
    platform: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Make a code and show it this once."""
    _admin(session, principal)
    try:
        code = binding.create_code(
            session,
            workspace=principal.workspace,
            now=now,
            platform=platform or None,
            created_by=principal.member,
        )
    except DomainError as exc:
        session.rollback()
        return _page(
            request, session, principal, runtime, error=exc.message(), status_code=exc.status_code
        )
    return _page(request, session, principal, runtime, code=code)


@router.post(PATH + "/{binding_id}/unbind", response_model=None)
def unbind(binding_id: Id, session: SessionDep, principal: PagePrincipal) -> Response:
    """Unbind a tenant of this workspace."""
    _admin(session, principal)
    found = binding.get_binding(session, workspace_id=principal.workspace.id, binding_id=binding_id)
    binding.unbind(session, binding=found)
    return RedirectResponse(PATH, status_code=303)


@router.post(f"{PATH}/channels", response_model=None)
def channel_from_chat(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    runtime: RuntimeDep,
    platform: Annotated[str, Form()],
    address: Annotated[str, Form()],
    purpose: Annotated[str, Form()],
    name: Annotated[str, Form()] = "",
) -> Response:
    """Make a listed chat a channel of a purpose (workspace-wide)."""
    _admin(session, principal)
    try:
        if purpose not in {p.value for p in ChannelPurpose}:
            raise DomainError("binding.error.not_in_tenant", address=address)
        directory.channel_from_chat(
            session,
            runtime.ports.get(Directory),
            workspace=principal.workspace,
            team=None,
            platform=platform,
            address=address,
            purpose=purpose,
            name=name or None,
        )
    except DomainError as exc:
        session.rollback()
        return _page(
            request, session, principal, runtime, error=exc.message(), status_code=exc.status_code
        )
    return RedirectResponse(PATH, status_code=303)
