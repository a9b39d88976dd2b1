"""REST for chat destinations (channels) of the workspace."""

from __future__ import annotations

from teamassist.exceptions import DomainError
from teamassist.http.admin import ADMIN_GATE
from teamassist.http.deps import Id, NowDep, PrincipalDep, SessionDep, require_team_person, team_of
from teamassist.http.errors import require_admin
from teamassist.http.routes import Routes
from teamassist.team import service
from teamassist.team.schemas import ChannelCreate, ChannelRead, ChannelUpdate

router = Routes(tags=["people"])


@router.get("/channels", response_model=list[ChannelRead])
def list_channels(
    session: SessionDep, principal: PrincipalDep, team_id: Id | None = None
) -> list[ChannelRead]:
    """Chat destinations of the caller's teams (those they are in or direct; every team's for
    the workspace owner), a channel of no team counted as the default team's; with
    ``team_id`` that team's only (403 ``core.error.not_in_team`` outside it). Tester s24 F12:
    every team's channels, their platform addresses included, were listed to any member."""
    if team_id is not None:
        team = team_of(session, principal, team_id)
        require_team_person(session, principal, team)
    found = service.readable_channels(
        session, workspace_id=principal.workspace.id, member=principal.member, team_id=team_id
    )
    return [ChannelRead.model_validate(c) for c in found]


@router.post("/channels", dependencies=[ADMIN_GATE], response_model=ChannelRead, status_code=201)
def add_channel(
    body: ChannelCreate, session: SessionDep, principal: PrincipalDep, team_id: Id | None = None
) -> ChannelRead:
    """Add a chat destination (admin of its team: ``team_id`` in the body or the query, 400
    ``core.error.two_teams`` when they differ; neither: the default team's, a channel of no
    team). The query's was ignored, so an admin of that team was told he was none (s24 F12)."""
    if team_id is not None and body.team_id is not None and team_id != body.team_id:
        raise DomainError("core.error.two_teams", query=team_id, body=body.team_id)
    named = body.team_id if body.team_id is not None else team_id
    team = (
        service.get_team(session, workspace_id=principal.workspace.id, team_id=named)
        if named is not None
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
        team=team if named is not None else None,
        quiet_start=body.quiet_start,
        quiet_end=body.quiet_end,
    )
    return ChannelRead.model_validate(channel)


@router.patch("/channels/{channel_id}", dependencies=[ADMIN_GATE], response_model=ChannelRead)
def change_channel(
    channel_id: Id,
    body: ChannelUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
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
    # Which of the two hours the caller wrote, null included: ``{"quiet_start": null,
    # "quiet_end": null}`` clears the window (it answered 200 and changed nothing, tester F13
    # of session 19); omitted hours stay as they are.
    given = body.model_fields_set & {"quiet_start", "quiet_end"}
    hours = (body.quiet_start, body.quiet_end)
    if given and (len(given) == 1 or (hours[0] is None) != (hours[1] is None)):
        raise DomainError("core.error.quiet_pair")
    if body.clear_quiet and hours[0] is not None:
        # Clearing and setting at once cleared silently (F13): say which one is meant.
        raise DomainError("core.error.quiet_clear_and_set")
    quiet = (hours[0], hours[1]) if hours[0] is not None and hours[1] is not None else None
    service.update_channel(
        session,
        channel=channel,
        name=body.name,
        enabled=body.enabled,
        quiet=quiet,
        clear_quiet=body.clear_quiet or (len(given) == 2 and quiet is None),
        timezone=team.timezone,
        now=now,
    )
    return ChannelRead.model_validate(channel)
