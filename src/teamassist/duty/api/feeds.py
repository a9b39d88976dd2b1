"""Calendar feeds (secret iCal subscription URLs): list, create, revoke; and one-off iCal
downloads of a rotation or a person for a signed-in caller. The public feed URL itself is
served by :mod:`.public`."""

from __future__ import annotations

from fastapi.responses import Response

from teamassist.duty import feeds, service
from teamassist.duty.api.base import resource_router
from teamassist.duty.schemas import FeedCreate, FeedRead
from teamassist.exceptions import DomainError, NotFound, PermissionDenied
from teamassist.http.auth import is_admin
from teamassist.http.deps import (
    Id,
    PrincipalDep,
    RuntimeDep,
    SessionDep,
    TeamDep,
    require_team_person,
    team_of,
)
from teamassist.http.errors import require_admin
from teamassist.team.models import Member

router = resource_router()

ICAL_MEDIA_TYPE = "text/calendar; charset=utf-8"


@router.get("/feeds", response_model=list[FeedRead])
def list_feeds(
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    include_revoked: bool = False,
) -> list[FeedRead]:
    """Your feeds (admins: every feed of the team). Tokens are never shown again."""
    mine = None if is_admin(session, principal, team) else principal.member
    rows = feeds.feeds(session, team=team, member=mine, include_revoked=include_revoked)
    return [FeedRead.from_feed(f) for f in rows]


@router.post("/feeds", response_model=FeedRead, status_code=201)
def create_feed(
    body: FeedCreate,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team_id: Id | None = None,
) -> FeedRead:
    """A secret feed URL of a rotation, or of a person (yourself; admins: anyone), in the team
    ``?team_id=`` names (as on every router; the body's ``team_id`` is still read, the two
    naming different teams is refused, 400), which the caller must be in (403).

    One live feed per subscription (a person's per team; a rotation's per team and maker):
    while one is live, 409 ``duty_feeds.error.exists`` names it (its URL is shown only once,
    at creation) and nothing is made; ``"replace": true`` revokes it and answers the new one
    with the revoked ids in ``replaced``."""
    if team_id is not None and body.team_id is not None and team_id != body.team_id:
        raise DomainError("duty_feeds.error.two_teams", query=team_id, body=body.team_id)
    team = team_of(session, principal, team_id if team_id is not None else body.team_id)
    require_team_person(session, principal, team)
    rotation = None
    member: Member | None = None
    if body.rotation_id is not None:
        rotation = service.get_rotation_by_id(
            session,
            workspace_id=principal.workspace.id,
            rotation_id=body.rotation_id,
            known_in=team,
        )
        if rotation.team_id != team.id:
            # another team's rotation: not found, as for the teams the caller is not in (the
            # caller was told 「「小红」不是本团队的成员」 of herself, tester s26 A-5)
            owner = team_of(session, principal, rotation.team_id)
            if principal.member is not None and not service.in_team(
                session, owner, principal.member
            ):
                raise service.no_rotation(session, name=str(body.rotation_id), team=team)
            team = owner
    else:
        if body.member_id is None or (
            principal.member is not None and body.member_id == principal.member.id
        ):
            member = principal.member
        else:
            require_admin(session, principal, team)
            member = service.members_by_id(session, [body.member_id]).get(body.member_id)
            if member is None or member.workspace_id != principal.workspace.id:
                raise NotFound("core.error.unknown_member", who=str(body.member_id))
        if member is None:
            raise PermissionDenied("duty.error.no_member")
    created = feeds.create_feed(
        session,
        team=team,
        now=runtime.clock(),
        rotation=rotation,
        member=member,
        by=principal.member,
        replace=body.replace,
        via="rest",
    )
    url = feeds.feed_url(runtime.settings.web.public_url, created.token)
    return FeedRead.from_feed(created.feed, url, replaced=[f.id for f in created.replaced])


@router.delete("/feeds/{feed_id}", response_model=FeedRead)
def revoke_feed(
    feed_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    runtime: RuntimeDep,
) -> FeedRead:
    """Revoke a feed: its URL answers 404 from now on (yours; admins: any)."""
    feed = feeds.get_feed(session, team=team, feed_id=feed_id)
    if not feeds.owns(feed, principal.member):
        require_admin(session, principal, team)
    return FeedRead.from_feed(feeds.revoke_feed(session, feed=feed, now=runtime.clock()))


def _ics(body: bytes, name: str) -> Response:
    return Response(
        content=body,
        media_type=ICAL_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/rotations/{rotation_id}/calendar.ics")
def rotation_calendar(
    rotation_id: Id, session: SessionDep, principal: PrincipalDep, runtime: RuntimeDep
) -> Response:
    """One rotation's final shifts as iCal (60 days back to 180 ahead), for one of its team's
    people (403 ``core.error.not_in_team``, asked here as well as by the row gate)."""
    rotation = service.get_rotation_by_id(
        session, workspace_id=principal.workspace.id, rotation_id=rotation_id
    )
    team = team_of(session, principal, rotation.team_id)
    require_team_person(session, principal, team)
    body = feeds.render(
        session,
        team=team,
        now=runtime.clock(),
        rotation=rotation,
        domain=feeds.uid_domain(runtime.settings.web.public_url),
    )
    return _ics(body, f"duty-{rotation.key}.ics")


@router.get("/teams/{team_id}/members/{member_id}/calendar.ics")
def member_calendar(
    member_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    runtime: RuntimeDep,
) -> Response:
    """One person's shifts across the team's rotations as iCal (yours; admins: anyone's)."""
    if principal.member is None or principal.member.id != member_id:
        require_admin(session, principal, team)
    member = service.members_by_id(session, [member_id]).get(member_id)
    if member is None or member.workspace_id != principal.workspace.id:
        raise NotFound("core.error.unknown_member", who=str(member_id))
    service.require_team_member(session, team, member)
    body = feeds.render(
        session,
        team=team,
        now=runtime.clock(),
        member=member,
        domain=feeds.uid_domain(runtime.settings.web.public_url),
    )
    return _ics(body, f"duty-{member.handle}.ics")
