"""REST for calendar feeds and the fairness report (under /api/v1/duty), and the public feed URL
``GET /ical/{token}.ics`` (no sign-in: the secret token is the credential)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from teamassist.duty import fairness, feeds, service
from teamassist.duty.feed_models import FeedToken
from teamassist.exceptions import NotFound, PermissionDenied
from teamassist.http.auth import Principal
from teamassist.http.deps import PrincipalDep, RuntimeDep, SessionDep
from teamassist.http.errors import require_admin
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

router = APIRouter(prefix="/duty", tags=["duty"])
public_router = APIRouter(include_in_schema=False)

ICAL_MEDIA_TYPE = "text/calendar; charset=utf-8"


# -- shapes ------------------------------------------------------------------------------------


class FeedCreate(BaseModel):
    """A new feed: one rotation, or one person (default: yourself)."""

    team_id: int | None = None
    rotation_id: int | None = None
    member_id: int | None = None


class FeedRead(BaseModel):
    """A feed; ``url`` is only known in the answer to its creation."""

    id: int
    team_id: int
    scope: str
    rotation_id: int | None
    member_id: int | None
    label: str
    created_by_id: int | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    url: str | None = None


class PersonFairnessRead(BaseModel):
    """One person's line of the fairness report."""

    member_id: int
    display_name: str
    duty_days: int
    workdays: int
    weekend_days: int
    holiday_days: int
    hours: float
    due_days: int
    signed_days: int
    sign_in_rate: float | None
    late_sign_ins: int
    average_sign_in: str | None


class FairnessRead(BaseModel):
    """The fairness report over [first, last]."""

    team_id: int
    rotation_id: int | None
    first: date
    last: date
    late_after: str
    balance: float | None
    people: list[PersonFairnessRead] = Field(default_factory=list)


# -- helpers -----------------------------------------------------------------------------------


def _team(session: Session, principal: Principal, team_id: int | None) -> Team:
    if team_id is None:
        return team_service.default_team(session, workspace_id=principal.workspace.id)
    return team_service.get_team(session, workspace_id=principal.workspace.id, team_id=team_id)


def _feed_read(feed: FeedToken, url: str | None = None) -> FeedRead:
    return FeedRead(
        id=feed.id,
        team_id=feed.team_id,
        scope=feed.scope,
        rotation_id=feed.rotation_id,
        member_id=feed.member_id,
        label=feed.label,
        created_by_id=feed.created_by_id,
        created_at=feed.created_at,
        revoked_at=feed.revoked_at,
        last_used_at=feed.last_used_at,
        url=url,
    )


def _is_admin(session: Session, principal: Principal, team: Team) -> bool:
    try:
        require_admin(session, principal, team)
    except PermissionDenied:
        return False
    return True


# -- feeds -------------------------------------------------------------------------------------


@router.get("/feeds", response_model=list[FeedRead])
def list_feeds(
    session: SessionDep,
    principal: PrincipalDep,
    team_id: int | None = None,
    include_revoked: bool = False,
) -> list[FeedRead]:
    """Your feeds (admins: every feed of the team). Tokens are never shown again."""
    team = _team(session, principal, team_id)
    mine = None if _is_admin(session, principal, team) else principal.member
    rows = feeds.feeds(session, team=team, member=mine, include_revoked=include_revoked)
    return [_feed_read(f) for f in rows]


@router.post("/feeds", response_model=FeedRead, status_code=201)
def create_feed(
    body: FeedCreate, session: SessionDep, principal: PrincipalDep, runtime: RuntimeDep
) -> FeedRead:
    """A secret feed URL of a rotation, or of a person (yourself; admins: anyone)."""
    team = _team(session, principal, body.team_id)
    rotation = None
    member: Member | None = None
    if body.rotation_id is not None:
        rotation = service.get_rotation_by_id(
            session, workspace_id=principal.workspace.id, rotation_id=body.rotation_id
        )
        team = _team(session, principal, rotation.team_id)
        if principal.member is not None:
            service.require_team_member(session, team, principal.member)
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
    )
    url = feeds.feed_url(runtime.settings.web.public_url, created.token)
    return _feed_read(created.feed, url)


@router.delete("/feeds/{feed_id}", response_model=FeedRead)
def revoke_feed(
    feed_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team_id: int | None = None,
) -> FeedRead:
    """Revoke a feed: its URL answers 404 from now on (yours; admins: any)."""
    team = _team(session, principal, team_id)
    feed = feeds.get_feed(session, team=team, feed_id=feed_id)
    if not feeds.owns(feed, principal.member):
        require_admin(session, principal, team)
    return _feed_read(feeds.revoke_feed(session, feed=feed, now=runtime.clock()))


@public_router.api_route("/ical/{token}.ics", methods=["GET", "HEAD"])
def ical_feed(token: str, session: SessionDep, runtime: RuntimeDep) -> Response:
    """The calendar of a secret feed URL (subscribable from Feishu, Outlook, Google)."""
    now = runtime.clock()
    feed = feeds.resolve(session, token=token, now=now)
    if feed is None:
        raise HTTPException(status_code=404, detail="unknown calendar feed")
    body = feeds.render_feed(
        session, feed=feed, now=now, domain=feeds.uid_domain(runtime.settings.web.public_url)
    )
    return Response(
        content=body,
        media_type=ICAL_MEDIA_TYPE,
        headers={
            "Cache-Control": "private, max-age=900",
            "Content-Disposition": 'inline; filename="duty.ics"',
            "X-Robots-Tag": "noindex",
        },
    )


def _ics(body: bytes, name: str) -> Response:
    return Response(
        content=body,
        media_type=ICAL_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/rotations/{rotation_id}/calendar.ics")
def rotation_calendar(
    rotation_id: int, session: SessionDep, principal: PrincipalDep, runtime: RuntimeDep
) -> Response:
    """One rotation's final shifts as iCal (60 days back to 180 ahead), for a signed-in caller."""
    rotation = service.get_rotation_by_id(
        session, workspace_id=principal.workspace.id, rotation_id=rotation_id
    )
    team = _team(session, principal, rotation.team_id)
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
    team_id: int,
    member_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> Response:
    """One person's shifts across the team's rotations as iCal (yours; admins: anyone's)."""
    team = _team(session, principal, team_id)
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


# -- fairness ----------------------------------------------------------------------------------


def _report(
    session: Session,
    principal: Principal,
    now: datetime,
    team_id: int | None,
    first: date | None,
    last: date | None,
    rotation_id: int | None,
) -> tuple[Team, fairness.FairnessReport, int | None]:
    team = _team(session, principal, team_id)
    rotation = None
    if rotation_id is not None:
        rotation = service.get_rotation_by_id(
            session, workspace_id=principal.workspace.id, rotation_id=rotation_id
        )
        team = _team(session, principal, rotation.team_id)
    last = last or service.today(team, now)
    first = first or last - timedelta(days=29)
    result = fairness.report(session, team=team, first=first, last=last, now=now, rotation=rotation)
    return team, result, rotation_id


@router.get("/fairness", response_model=FairnessRead)
def get_fairness(
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    first: date | None = Query(default=None, alias="from"),
    last: date | None = Query(default=None, alias="to"),
    rotation: int | None = None,
    team_id: int | None = None,
) -> FairnessRead:
    """Duty days (weekend, holiday), hours, sign-in rate and late sign-ins per person."""
    team, result, rotation_id = _report(
        session, principal, runtime.clock(), team_id, first, last, rotation
    )
    members = fairness.member_names(session, result)
    return FairnessRead(
        team_id=team.id,
        rotation_id=rotation_id,
        first=result.first,
        last=result.last,
        late_after=result.late_after.strftime("%H:%M"),
        balance=result.balance,
        people=[
            PersonFairnessRead(
                member_id=p.member_id,
                display_name=members[p.member_id].display_name
                if p.member_id in members
                else str(p.member_id),
                duty_days=p.duty_days,
                workdays=p.workdays,
                weekend_days=p.weekend_days,
                holiday_days=p.holiday_days,
                hours=round(p.hours, 2),
                due_days=p.due_days,
                signed_days=p.signed_days,
                sign_in_rate=p.sign_in_rate,
                late_sign_ins=p.late_sign_ins,
                average_sign_in=p.average_sign_in,
            )
            for p in result.people
        ],
    )


@router.get("/fairness.csv")
def get_fairness_csv(
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    first: date | None = Query(default=None, alias="from"),
    last: date | None = Query(default=None, alias="to"),
    rotation: int | None = None,
    team_id: int | None = None,
) -> Response:
    """The fairness report as CSV."""
    _team_row, result, _ = _report(
        session, principal, runtime.clock(), team_id, first, last, rotation
    )
    text = fairness.to_csv(result, fairness.member_names(session, result))
    name = f"duty-fairness-{result.first}-{result.last}.csv"
    return Response(
        content=text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
