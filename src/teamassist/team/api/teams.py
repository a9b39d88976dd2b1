"""REST for teams: list, sub-teams, organisation (parent, leader, director) and settings."""

from __future__ import annotations

from teamassist.http.admin import ADMIN_GATE
from teamassist.http.deps import (
    Id,
    NowDep,
    PrincipalDep,
    RuntimeDep,
    SessionDep,
    TeamDep,
    team_of,
)
from teamassist.http.errors import require_admin
from teamassist.http.routes import Routes
from teamassist.runtime import Runtime
from teamassist.team import org, people, service
from teamassist.team import settings as team_settings
from teamassist.team.api.shapes import SubTeamCreate, TeamUpdate
from teamassist.team.models import Member
from teamassist.team.schemas import (
    TeamRead,
    TeamSettingsRead,
    TeamSettingsUpdate,
)

router = Routes(tags=["people"])


@router.get("/teams", response_model=list[TeamRead])
def list_teams(session: SessionDep, principal: PrincipalDep) -> list[TeamRead]:
    """Teams of the caller's workspace."""
    teams = service.get_teams(session, workspace_id=principal.workspace.id)
    return [TeamRead.model_validate(t) for t in teams]


@router.post("/teams", dependencies=[ADMIN_GATE], response_model=TeamRead, status_code=201)
def create_team(body: SubTeamCreate, session: SessionDep, principal: PrincipalDep) -> TeamRead:
    """A new (sub-)team; admins of the parent (of the default team for a top-level one)."""
    parent = (
        service.get_team(session, workspace_id=principal.workspace.id, team_id=body.parent_id)
        if body.parent_id is not None
        else None
    )
    require_admin(session, principal, parent or team_of(session, principal, None))
    team = org.create_sub_team(
        session,
        workspace=principal.workspace,
        parent=parent,
        key=body.key,
        name=body.name,
        timezone=body.timezone,
        admin=principal.member,
    )
    return TeamRead.model_validate(team)


@router.patch("/teams/{team_id}", dependencies=[ADMIN_GATE], response_model=TeamRead)
def change_team(
    team_id: Id, body: TeamUpdate, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> TeamRead:
    """Move a team, name its leader or director (admin only); null clears."""
    workspace_id = principal.workspace.id
    team = service.get_team(session, workspace_id=workspace_id, team_id=team_id)
    require_admin(session, principal, team)
    given = body.model_fields_set

    def member(member_id: int | None) -> Member | None:
        if member_id is None:
            return None
        return people.get_member(session, workspace_id=workspace_id, member_id=member_id)

    if "parent_id" in given:
        parent = (
            service.get_team(session, workspace_id=workspace_id, team_id=body.parent_id)
            if body.parent_id is not None
            else None
        )
        org.set_parent(session, team=team, parent=parent)
    if "leader_id" in given:
        org.set_leader(session, team=team, leader=member(body.leader_id))
    if "director_id" in given:
        director = member(body.director_id)
        if director is None:
            org.revoke_director(session, team=team)
        else:
            org.grant_director(session, team=team, member=director, by=principal.member, now=now)
    return TeamRead.model_validate(team)


def _job_defaults(runtime: Runtime) -> dict[str, list[str]]:
    return {job.key: list(job.default_times) for job in runtime.scheduler.jobs}


@router.get("/teams/{team_id}/settings", response_model=TeamSettingsRead)
def get_settings(team: TeamDep, runtime: RuntimeDep) -> TeamSettingsRead:
    """The team's time zone and the local times of every daily job: its people's and its
    director's (403 ``core.error.not_in_team`` to others, as every team's route; tester s25
    F-2: any member of the workspace read another team's whole notice schedule)."""
    return TeamSettingsRead(
        timezone=team.timezone, schedule=team_settings.schedule(team, _job_defaults(runtime))
    )


@router.patch(
    "/teams/{team_id}/settings", dependencies=[ADMIN_GATE], response_model=TeamSettingsRead
)
def patch_settings(
    team_id: Id,
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
