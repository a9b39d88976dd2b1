"""REST for platform bindings and the platforms' real chats (admins of the default team).

``POST /bindings/codes`` makes a one-time code for ``/绑定``; ``GET /bindings`` lists the
workspace's bound tenants, ``DELETE /bindings/{id}`` unbinds one. ``GET /platform-chats`` lists
the real chats of the bound tenants, and ``POST /platform-chats/channels`` makes one of them a
channel of a purpose (a chat outside the workspace's tenants is refused).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from teamassist.enums import ChannelPurpose, Platform
from teamassist.http.admin import ADMIN_GATE
from teamassist.http.auth import Principal
from teamassist.http.deps import NowDep, PrincipalDep, RuntimeDep, SessionDep, team_of
from teamassist.http.errors import require_admin
from teamassist.http.fields import Id
from teamassist.http.routes import Routes
from teamassist.ports import Directory
from teamassist.request_body import RequestBody
from teamassist.team import binding, directory
from teamassist.team import service as team_service
from teamassist.team.models import Team
from teamassist.team.schemas import ChannelRead

router = Routes(tags=["bindings"])


class CodeCreate(RequestBody):
    """Which platform the code may be used on (none: any)."""

    platform: Platform | None = None


class CodeRead(BaseModel):
    """A new binding code, shown this once (only its hash is stored)."""

    code: str
    workspace_key: str
    platform: str | None
    expires_at: datetime


class BindingRead(BaseModel):
    """A platform tenant bound to the workspace."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    platform: str
    tenant_key: str
    kind: str
    name: str
    bound_at: datetime | None


class PlatformChatRead(BaseModel):
    """A real chat of a bound tenant, to choose as a channel."""

    platform: str
    tenant_key: str
    address: str
    name: str
    kind: str


class ChatChannelCreate(RequestBody):
    """Make one of the listed platform chats a channel of ``purpose``."""

    platform: Platform
    address: str = Field(min_length=1, max_length=200)
    purpose: ChannelPurpose
    team_id: Id | None = None
    name: str | None = Field(default=None, max_length=200)


def _admin_team(session: Session, principal: Principal, team_id: int | None = None) -> Team:
    """The team ``team_id`` names, whose admin the caller must be (403); without one, the
    workspace's default team: bindings and codes are the whole workspace's, so an admin of any
    other team must not unbind a tenant every team's chats run on (tester s24 F3: the caller's
    own home team was asked)."""
    if team_id is None:
        team = team_service.default_team(session, workspace_id=principal.workspace.id)
    else:
        team = team_of(session, principal, team_id)
    require_admin(session, principal, team)
    return team


@router.post("/bindings/codes", response_model=CodeRead, status_code=201)
def create_code(
    body: CodeCreate, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> CodeRead:
    """A one-time binding code for this workspace, valid 30 minutes (admin only)."""
    _admin_team(session, principal)
    code = binding.create_code(
        session,
        workspace=principal.workspace,
        now=now,
        platform=body.platform.value if body.platform else None,
        created_by=principal.member,
    )
    return CodeRead(
        code=code.code,
        workspace_key=code.workspace_key,
        platform=code.platform,
        expires_at=code.expires_at,
    )


@router.get("/bindings", response_model=list[BindingRead])
def list_bindings(session: SessionDep, principal: PrincipalDep) -> list[BindingRead]:
    """The platform tenants bound to this workspace (admin only)."""
    _admin_team(session, principal)
    return [
        BindingRead.model_validate(b)
        for b in binding.bindings(session, workspace_id=principal.workspace.id)
    ]


@router.delete("/bindings/{binding_id}", status_code=204)
def delete_binding(binding_id: Id, session: SessionDep, principal: PrincipalDep) -> Response:
    """Unbind a tenant (admin only); its members and history stay."""
    _admin_team(session, principal)
    bound = binding.get_binding(session, workspace_id=principal.workspace.id, binding_id=binding_id)
    binding.unbind(session, binding=bound)
    return Response(status_code=204)


@router.get("/platform-chats", response_model=list[PlatformChatRead])
def list_platform_chats(
    session: SessionDep, principal: PrincipalDep, runtime: RuntimeDep
) -> list[PlatformChatRead]:
    """The real chats of the workspace's bound tenants (admin only)."""
    _admin_team(session, principal)
    return [
        PlatformChatRead(
            platform=b.platform,
            tenant_key=b.tenant_key,
            address=chat.address,
            name=chat.name,
            kind=chat.kind,
        )
        for b, chat in directory.platform_chats(
            session, runtime.ports.get(Directory), workspace_id=principal.workspace.id
        )
    ]


@router.post(
    "/platform-chats/channels",
    dependencies=[ADMIN_GATE],
    response_model=ChannelRead,
    status_code=201,
)
def channel_from_chat(
    body: ChatChannelCreate, session: SessionDep, principal: PrincipalDep, runtime: RuntimeDep
) -> ChannelRead:
    """Make a listed platform chat a channel of a purpose (admin of the team)."""
    team = _admin_team(session, principal, body.team_id)
    channel = directory.channel_from_chat(
        session,
        runtime.ports.get(Directory),
        workspace=principal.workspace,
        team=team if body.team_id is not None else None,
        platform=body.platform.value,
        address=body.address,
        purpose=body.purpose.value,
        name=body.name,
    )
    return ChannelRead.model_validate(channel)
