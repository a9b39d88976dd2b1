"""REST for signing in: who am I, personal API tokens, and sending a member a sign-in link.

``POST /auth/sign-in-links`` is the REST side of ``/登录``: both call ``signin.send_link``.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import Request, Response
from pydantic import BaseModel, ConfigDict, Field

from teamassist.enums import Role
from teamassist.exceptions import NotFound, PermissionDenied
from teamassist.http import auth, signin, tokens
from teamassist.http.admin import ADMIN_GATE
from teamassist.http.deps import Id, NowDep, PrincipalDep, RuntimeDep, SessionDep
from teamassist.http.errors import require_admin
from teamassist.http.routes import Routes
from teamassist.request_body import RequestBody
from teamassist.team import service as team_service
from teamassist.team.models import Member

router = Routes(tags=["sign-in"])


class TeamRole(BaseModel):
    """The caller's role in one team."""

    team_id: int
    role: Role


class MeRead(BaseModel):
    """Who the caller is."""

    workspace_id: int
    workspace_key: str
    member_id: int | None
    handle: str | None
    display_name: str | None
    owner: bool = Field(description="the global API token / first account: admin everywhere")
    roles: list[TeamRole]


class TokenCreate(RequestBody):
    """A new personal token."""

    name: str = Field(min_length=1, max_length=100)


class TokenRead(BaseModel):
    """A personal token as listed (never the token itself)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    prefix: str
    created_at: datetime


class TokenCreated(TokenRead):
    """A personal token just created: ``token`` is shown this once."""

    token: str


class LinkRequest(RequestBody):
    """Whom to send a one-time sign-in link."""

    member_id: Id


class LinkSent(BaseModel):
    """A link was queued privately to the member (it is never returned to the caller)."""

    member_id: int
    expires_at: datetime


@router.get("/me", response_model=MeRead)
def me(session: SessionDep, principal: PrincipalDep) -> MeRead:
    """The caller: workspace, member and roles."""
    member = principal.member
    return MeRead(
        workspace_id=principal.workspace.id,
        workspace_key=principal.workspace.key,
        member_id=member.id if member else None,
        handle=member.handle if member else None,
        display_name=member.display_name if member else None,
        owner=principal.is_owner,
        roles=[
            TeamRole(team_id=team, role=role)
            for team, role in auth.roles_of(session, member).items()
        ],
    )


@router.get("/me/tokens", response_model=list[TokenRead])
def list_tokens(session: SessionDep, principal: PrincipalDep) -> list[TokenRead]:
    """The caller's live personal tokens."""
    return [TokenRead.model_validate(row) for row in tokens.listed(session, principal=principal)]


@router.post("/me/tokens", response_model=TokenCreated, status_code=201)
def create_token(
    request: Request, body: TokenCreate, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> TokenCreated:
    """Create a personal token acting as the caller (shown once); a dashboard session only:
    403 ``signin.error.token_needs_session`` for a personal token, which would otherwise make
    itself tokens that outlive its own revocation (tester s27 A-8)."""
    if tokens.is_personal_header(request.headers.get("authorization", "")):
        raise PermissionDenied("signin.error.token_needs_session")
    row, raw = tokens.create(session, principal=principal, name=body.name, now=now)
    return TokenCreated(
        id=row.id, name=row.name, prefix=row.prefix, created_at=row.created_at, token=raw
    )


@router.delete("/me/tokens/{token_id}", status_code=204)
def revoke_token(
    token_id: Id, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> Response:
    """Revoke one of the caller's tokens."""
    tokens.revoke(session, principal=principal, token_id=token_id, now=now)
    return Response(status_code=204)


@router.post(
    "/auth/sign-in-links", dependencies=[ADMIN_GATE], response_model=LinkSent, status_code=202
)
def send_sign_in_link(
    body: LinkRequest,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    now: NowDep,
) -> LinkSent:
    """Send a member a one-time sign-in link privately (admin; as ``/登录`` does for oneself)."""
    require_admin(
        session, principal, team_service.default_team(session, workspace_id=principal.workspace.id)
    )
    member = session.get(Member, body.member_id)
    if member is None or member.workspace_id != principal.workspace.id:
        raise NotFound("core.error.unknown_member", who=body.member_id)
    link = signin.send_link(
        session, member=member, now=now, public_url=runtime.settings.web.public_url
    )
    return LinkSent(member_id=member.id, expires_at=link.expires_at)
