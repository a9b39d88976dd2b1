"""REST endpoints for teams, members and channels."""

from __future__ import annotations

from fastapi import APIRouter

from teamassist.exceptions import DomainError
from teamassist.http.deps import PrincipalDep, RuntimeDep, SessionDep
from teamassist.http.errors import require_admin
from teamassist.runtime import Runtime
from teamassist.team import service
from teamassist.team import settings as team_settings
from teamassist.team.schemas import (
    ChannelCreate,
    ChannelRead,
    ChannelUpdate,
    MemberCreate,
    MemberRead,
    TeamRead,
    TeamSettingsRead,
    TeamSettingsUpdate,
)

router = APIRouter(tags=["people"])


@router.get("/teams", response_model=list[TeamRead])
def list_teams(session: SessionDep, principal: PrincipalDep) -> list[TeamRead]:
    """Teams of the caller's workspace."""
    teams = service.get_teams(session, workspace_id=principal.workspace.id)
    return [TeamRead.model_validate(t) for t in teams]


@router.get("/teams/{team_id}/members", response_model=list[MemberRead])
def list_members(team_id: int, session: SessionDep, principal: PrincipalDep) -> list[MemberRead]:
    """Members of a team with their roles and platform identities."""
    team = service.get_team(session, workspace_id=principal.workspace.id, team_id=team_id)
    return [
        MemberRead(
            id=m.id,
            handle=m.handle,
            display_name=m.display_name,
            role=role,
            identities={i.platform: i.user_key for i in m.identities},
        )
        for m, role in service.team_members(session, team=team)
    ]


@router.post("/teams/{team_id}/members", response_model=MemberRead, status_code=201)
def add_member(
    team_id: int, body: MemberCreate, session: SessionDep, principal: PrincipalDep
) -> MemberRead:
    """Add a member to a team (admin only)."""
    team = service.get_team(session, workspace_id=principal.workspace.id, team_id=team_id)
    require_admin(session, principal, team)
    member = service.create_member(
        session,
        workspace=principal.workspace,
        handle=body.handle,
        display_name=body.display_name,
        team=team,
        role=body.role,
    )
    return MemberRead(
        id=member.id, handle=member.handle, display_name=member.display_name, role=body.role
    )


@router.get("/channels", response_model=list[ChannelRead])
def list_channels(session: SessionDep, principal: PrincipalDep) -> list[ChannelRead]:
    """Chat destinations of the workspace."""
    return [
        ChannelRead.model_validate(c)
        for c in service.channels(session, workspace_id=principal.workspace.id)
    ]


@router.post("/channels", response_model=ChannelRead, status_code=201)
def add_channel(body: ChannelCreate, session: SessionDep, principal: PrincipalDep) -> ChannelRead:
    """Add a chat destination (admin only)."""
    team = (
        service.get_team(session, workspace_id=principal.workspace.id, team_id=body.team_id)
        if body.team_id is not None
        else service.default_team(session, workspace_id=principal.workspace.id)
    )
    require_admin(session, principal, team)
    channel = service.create_channel(
        session,
        workspace=principal.workspace,
        platform=body.platform.value,
        address=body.address,
        purpose=body.purpose.value,
        name=body.name,
        team=team if body.team_id is not None else None,
        quiet_start=body.quiet_start,
        quiet_end=body.quiet_end,
    )
    return ChannelRead.model_validate(channel)


def _job_defaults(runtime: Runtime) -> dict[str, list[str]]:
    return {job.key: list(job.default_times) for job in runtime.scheduler.jobs}


@router.get("/teams/{team_id}/settings", response_model=TeamSettingsRead)
def get_settings(
    team_id: int, session: SessionDep, principal: PrincipalDep, runtime: RuntimeDep
) -> TeamSettingsRead:
    """The team's time zone and the local times of every daily job."""
    team = service.get_team(session, workspace_id=principal.workspace.id, team_id=team_id)
    return TeamSettingsRead(
        timezone=team.timezone, schedule=team_settings.schedule(team, _job_defaults(runtime))
    )


@router.patch("/teams/{team_id}/settings", response_model=TeamSettingsRead)
def patch_settings(
    team_id: int,
    body: TeamSettingsUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> TeamSettingsRead:
    """Change the time zone or job times (admin only); a bad value changes nothing."""
    team = service.get_team(session, workspace_id=principal.workspace.id, team_id=team_id)
    require_admin(session, principal, team)
    defaults = _job_defaults(runtime)
    team_settings.update(
        session, team=team, timezone=body.timezone, times=body.schedule, known_jobs=defaults
    )
    return TeamSettingsRead(timezone=team.timezone, schedule=team_settings.schedule(team, defaults))


@router.patch("/channels/{channel_id}", response_model=ChannelRead)
def change_channel(
    channel_id: int, body: ChannelUpdate, session: SessionDep, principal: PrincipalDep
) -> ChannelRead:
    """Rename a channel, switch it on/off, or set / clear its quiet window (admin only)."""
    channel = service.get_channel(
        session, workspace_id=principal.workspace.id, channel_id=channel_id
    )
    team = (
        service.get_team(session, workspace_id=principal.workspace.id, team_id=channel.team_id)
        if channel.team_id is not None
        else service.default_team(session, workspace_id=principal.workspace.id)
    )
    require_admin(session, principal, team)
    if (body.quiet_start is None) != (body.quiet_end is None):
        raise DomainError("core.error.quiet_pair")
    quiet = (body.quiet_start, body.quiet_end) if body.quiet_start and body.quiet_end else None
    service.update_channel(
        session,
        channel=channel,
        name=body.name,
        enabled=body.enabled,
        quiet=quiet,
        clear_quiet=body.clear_quiet,
    )
    return ChannelRead.model_validate(channel)
