"""Secret iCal feed URLs: create, list, revoke, resolve, and the feed text itself.

A feed URL is ``<public_url>/ical/<token>.ics``. The token (32 random bytes, URL-safe) is shown
once, when the feed is created; the database keeps only its SHA-256, so a leaked database does
not leak working URLs. Services only flush; the boundary commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamassist.clock import ensure_utc, local
from teamassist.duty import ical, service
from teamassist.duty.feed_models import SCOPE_MEMBER, SCOPE_ROTATION, FeedToken
from teamassist.duty.models import CalendarException, Override, Rotation, RotationVersion, Swap
from teamassist.events import PersonalCalendar, ask
from teamassist.exceptions import Conflict, DomainError, NotFound
from teamassist.i18n import t
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

TOKEN_BYTES = 32
FEED_PATH = "/ical/{token}.ics"
_TOUCH_EVERY = timedelta(hours=1)
# Where a feed is made from: each says how to reset in its own words (duty_feeds.reset_how.*).
RESET_VIA = ("chat", "rest", "page")


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def feed_url(public_url: str, token: str) -> str:
    """The subscribable URL of a token."""
    return public_url.rstrip("/") + FEED_PATH.format(token=token)


def uid_domain(public_url: str) -> str:
    """The domain part of event UIDs: the dashboard's host name."""
    return urlsplit(public_url).hostname or ical.DEFAULT_DOMAIN


@dataclass
class CreatedFeed:
    """A new feed and its token (the only time the token is known); ``replaced``: the live
    feeds of the same subscription it revoked (a reset)."""

    feed: FeedToken
    token: str
    replaced: list[FeedToken] = field(default_factory=list)


def create_feed(
    session: Session,
    *,
    team: Team,
    now: datetime,
    rotation: Rotation | None = None,
    member: Member | None = None,
    by: Member | None = None,
    replace: bool = False,
    via: str = "chat",
) -> CreatedFeed:
    """A new secret feed of one rotation or one person (exactly one of them).

    One live feed per subscription, as calendars keep one secret address: a person's feed
    per team, a rotation's per team and maker (tester s25 F-20: each /值班订阅 minted another
    live URL and the old ones kept working). Only the token's hash is stored, so an existing
    URL cannot be shown again: while one is live, Conflict ``duty_feeds.error.exists`` names
    it and how to reset (``via``: ``chat``, ``rest`` or ``page``), nothing made; ``replace``
    revokes it and makes the new one (``CreatedFeed.replaced``). The subject's row is locked
    first, so two requests at once make one feed."""
    if (rotation is None) == (member is None):
        raise DomainError("duty_feeds.error.bad_scope")
    if rotation is not None and rotation.team_id != team.id:
        raise NotFound("duty.error.no_rotation", name=str(rotation.id), known="-")
    if member is not None:
        service.require_team_member(session, team, member)
    live = _live_twins(session, team=team, rotation=rotation, member=member, by=by)
    if live and not replace:
        first = live[0]
        raise Conflict(
            "duty_feeds.error.exists",
            id=first.id,
            created=f"{local(ensure_utc(first.created_at), team.timezone):%Y-%m-%d}",
            used=t("duty_feeds.used.never")
            if first.last_used_at is None
            else t(
                "duty_feeds.used.at",
                at=f"{local(ensure_utc(first.last_used_at), team.timezone):%Y-%m-%d %H:%M}",
            ),
            how=t(f"duty_feeds.reset_how.{via}"),
        )
    for old in live:
        revoke_feed(session, feed=old, now=now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = FeedToken(
        token_hash=hash_token(token),
        team_id=team.id,
        scope=SCOPE_ROTATION if rotation is not None else SCOPE_MEMBER,
        rotation_id=rotation.id if rotation is not None else None,
        member_id=member.id if member is not None else None,
        label=(rotation.name if rotation is not None else member.display_name if member else "")[
            :100
        ],
        created_by_id=by.id if by else None,
        created_at=ensure_utc(now),
    )
    session.add(feed)
    session.flush()
    return CreatedFeed(feed, token, live)


def _live_twins(
    session: Session,
    *,
    team: Team,
    rotation: Rotation | None,
    member: Member | None,
    by: Member | None,
) -> list[FeedToken]:
    """The live feeds of the subscription a new feed would be, oldest first, after locking
    its subject's row (the person, else the rotation) until the transaction ends."""
    query = select(FeedToken).where(FeedToken.team_id == team.id, FeedToken.revoked_at.is_(None))
    if member is not None:
        session.execute(select(Member.id).where(Member.id == member.id).with_for_update())
        query = query.where(FeedToken.scope == SCOPE_MEMBER, FeedToken.member_id == member.id)
    else:
        assert rotation is not None
        session.execute(select(Rotation.id).where(Rotation.id == rotation.id).with_for_update())
        maker = FeedToken.created_by_id == by.id if by else FeedToken.created_by_id.is_(None)
        query = query.where(
            FeedToken.scope == SCOPE_ROTATION, FeedToken.rotation_id == rotation.id, maker
        )
    return list(session.scalars(query.order_by(FeedToken.id)))


def feeds(
    session: Session, *, team: Team, member: Member | None = None, include_revoked: bool = False
) -> list[FeedToken]:
    """The team's feeds (only those of or by ``member`` when given), newest first."""
    query = select(FeedToken).where(FeedToken.team_id == team.id)
    if member is not None:
        query = query.where(
            (FeedToken.member_id == member.id) | (FeedToken.created_by_id == member.id)
        )
    if not include_revoked:
        query = query.where(FeedToken.revoked_at.is_(None))
    return list(session.scalars(query.order_by(FeedToken.id.desc())))


def get_feed(session: Session, *, team: Team, feed_id: int) -> FeedToken:
    """One feed of the team, or NotFound."""
    feed = session.get(FeedToken, feed_id)
    if feed is None or feed.team_id != team.id:
        raise NotFound("duty_feeds.error.no_feed", id=feed_id)
    return feed


def owns(feed: FeedToken, member: Member | None) -> bool:
    """Whether ``member`` may manage ``feed`` without being an admin (their own feed)."""
    if member is None:
        return False
    return feed.member_id == member.id or feed.created_by_id == member.id


def revoke_feed(session: Session, *, feed: FeedToken, now: datetime) -> FeedToken:
    """Stop a feed: its URL answers 404 from now on (revoking twice is harmless)."""
    if feed.revoked_at is None:
        feed.revoked_at = ensure_utc(now)
        session.flush()
    return feed


def resolve(session: Session, *, token: str, now: datetime) -> FeedToken | None:
    """The live feed of a token, or None (unknown, revoked, or its rotation archived)."""
    if not token or len(token) > 200:
        return None
    feed = session.scalar(select(FeedToken).where(FeedToken.token_hash == hash_token(token)))
    if feed is None or feed.revoked_at is not None:
        return None
    if feed.rotation_id is not None:
        rotation = session.get(Rotation, feed.rotation_id)
        if rotation is None or rotation.archived_at is not None:
            return None
    now = ensure_utc(now)
    if feed.last_used_at is None or now - feed.last_used_at >= _TOUCH_EVERY:
        feed.last_used_at = now
        session.flush()
    return feed


def made_by_a_leaver(session: Session, *, feed: FeedToken, now: datetime) -> bool:
    """Whether ``feed`` was made by someone who has left (from their leaving day on): its URL
    then answers 410, not the schedule (a tester's rotation feed, made before they left,
    still served the whole rotation afterwards). Their own person feed is not: it keeps
    answering with no shifts from the leaving day, so subscribed calendars drop them (session
    15). Calling the departure off makes the feed work again: nothing is revoked."""
    if feed.created_by_id is None or feed.member_id == feed.created_by_id:
        return False
    creator = session.get(Member, feed.created_by_id)
    if creator is None:
        return False
    left = creator.deactivated_at
    return team_service.has_left(creator) or (left is not None and ensure_utc(left) <= now)


# -- the feed text -------------------------------------------------------------------------------


def edit_counts(session: Session, rotation_ids: list[int]) -> dict[int, int]:
    """Per rotation, how many edits it has had (rows plus cancellations): the events' SEQUENCE.

    Every edit is an appended row or a cancellation stamp, so this only ever grows.
    """
    counts: dict[int, int] = dict.fromkeys(rotation_ids, 0)
    if not rotation_ids:
        return counts
    for model, cancelled in (
        (RotationVersion, RotationVersion.cancelled_at),
        (Override, Override.cancelled_at),
        (Swap, Swap.cancelled_at),
        (CalendarException, None),
    ):
        rotation_col = model.rotation_id
        rows = session.execute(
            select(
                rotation_col,
                func.count(),
                func.count(cancelled) if cancelled is not None else func.count(),
            )
            .where(rotation_col.in_(rotation_ids))
            .group_by(rotation_col)
        ).all()
        for rotation_id, total, stamped in rows:
            counts[int(rotation_id)] += int(total) + (int(stamped) if cancelled is not None else 0)
    return counts


def render(
    session: Session,
    *,
    team: Team,
    now: datetime,
    rotation: Rotation | None = None,
    member: Member | None = None,
    domain: str = ical.DEFAULT_DOMAIN,
    start: datetime | None = None,
    end: datetime | None = None,
) -> bytes:
    """The iCal text of one rotation, or of one person across the team's rotations."""
    now = ensure_utc(now)
    default_start, default_end = ical.window(now)
    start, end = start or default_start, end or default_end
    # The final schedule as the views show it (service.schedule): a leaver's feed stops
    # listing shifts from their leaving day's hand-off, so subscribed calendars drop them.
    chosen = [rotation] if rotation is not None else service.rotations(session, team=team)
    sequences = edit_counts(session, [r.id for r in chosen])
    entries = [
        ical.FeedRotation(id=r.id, name=r.name, shifts=shifts, sequence=sequences.get(r.id, 0))
        for r, shifts in service.schedule(
            session, team=team, start=start, end=end, now=now, only=chosen
        )
    ]
    ids = {m for entry in entries for s in entry.shifts for m in s.member_ids}
    names = team_service.names_by_id(session, ids)
    if member is not None:
        title = t("duty_feeds.ical.calendar_member", name=member.display_name)
    elif rotation is not None:
        title = t("duty_feeds.ical.calendar_rotation", rotation=rotation.name)
    else:
        title = t("duty_feeds.ical.calendar_team", team=team.name)
    # A person's feed also carries what other domains put in their calendar (meetings).
    others: list[str] = []
    if member is not None:
        for found in ask(session, PersonalCalendar(team, member, start, end, now)):
            others += found
    return ical.build_calendar(
        entries,
        names=names,
        calendar_name=title,
        timezone=team.timezone,
        now=now,
        domain=domain,
        member_id=member.id if member is not None else None,
        extra_events=others,
    )


def render_feed(session: Session, *, feed: FeedToken, now: datetime, domain: str) -> bytes:
    """The iCal text a feed token stands for."""
    team = session.get(Team, feed.team_id)
    if team is None:
        raise NotFound("duty_feeds.error.no_feed", id=feed.id)
    rotation = session.get(Rotation, feed.rotation_id) if feed.rotation_id else None
    member = session.get(Member, feed.member_id) if feed.member_id else None
    if rotation is None and member is None:
        raise NotFound("duty_feeds.error.no_feed", id=feed.id)
    return render(session, team=team, now=now, rotation=rotation, member=member, domain=domain)
