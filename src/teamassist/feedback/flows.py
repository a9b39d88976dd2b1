"""Use cases of the feedback desk that reach other domains: routing by the duty roster, notices
to channels, the reporter's two-sided loop, sign-in digests, hand-off sections, follow-ups."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from teamassist.chat import notify
from teamassist.chat.quiet import quiet_until
from teamassist.chat.types import Reply
from teamassist.enums import ChannelPurpose, Role
from teamassist.exceptions import PermissionDenied
from teamassist.feedback import messages
from teamassist.feedback import queries as feedback_queries
from teamassist.feedback import service as feedback_service
from teamassist.feedback import settings as feedback_settings
from teamassist.feedback.models import (
    FeedbackAction,
    FeedbackItem,
    FeedbackKind,
    FeedbackStatus,
)
from teamassist.feedback.service import Origin
from teamassist.feedback.worktime import next_work_start, working_seconds
from teamassist.outbox import service as outbox_service
from teamassist.ports import Roster, Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Channel, Member, Team, TeamMembership

# Which duty rotation answers which kind of feedback.
ROTATION: dict[str, str] = {
    FeedbackKind.BUG.value: "tech",
    FeedbackKind.SUGGESTION.value: "product",
}


# -- the duty roster (through the Roster port; feedback never imports duty) -------------------


def on_duty(
    session: Session,
    *,
    roster: Roster,
    team: Team,
    at: datetime,
    kind: str | None,
    identities: bool = False,
) -> list[Member]:
    """Who is on duty for ``kind`` (primary first); ``identities``: with their platform
    identities read in the same statement, for a reply or notice that mentions them."""
    rotation = ROTATION.get(kind) if kind else None
    return list(
        roster.on_duty(session, team=team, at=at, rotation_kind=rotation, identities=identities)
    )


def default_owner(session: Session, *, team: Team) -> Member | None:
    """The configured fallback owner (``settings.feedback.default_owner``), else the first
    active admin. A configured owner who has since left, or is no longer in the team, is passed
    over (a setting stored before the check of ``settings.update_desk`` may still name one)."""
    handle = feedback_settings.desk_settings(team).default_owner
    if handle:
        member = team_service.get_member_by_handle(
            session, workspace_id=team.workspace_id, handle=handle
        )
        if (
            member is not None
            and not team_service.has_left(member)
            and team_service.role_of(session, team=team, member=member) is not None
        ):
            return member
    admins = [m for m in team_service.admins(session, team=team) if not team_service.has_left(m)]
    return admins[0] if admins else None


def workspace_owner(session: Session, *, team: Team) -> Member | None:
    """Who takes a team's feedback when it has nobody on duty, no default owner and no admin:
    the first active admin of the workspace's default team (the workspace's own admins, who
    may administer every member). Without it such an item had no owner and nobody was told,
    while the reporter heard that duty would handle it (tester F-B11, session 25): a help desk
    with no team to route to hands the ticket to the desk's administrators, never to nobody.
    None for the default team itself (its admins were asked already) or with no admin."""
    home = team_service.default_team(session, workspace_id=team.workspace_id)
    if home.id == team.id:
        return None
    admins = [m for m in team_service.admins(session, team=home) if not team_service.has_left(m)]
    return admins[0] if admins else None


def require_desk(
    session: Session,
    *,
    roster: Roster,
    team: Team,
    member: Member | None,
    now: datetime,
    item: FeedbackItem | None = None,
) -> None:
    """Refuse unless ``member`` may work the desk: lead/admin, on duty, or the item's owner.

    ``member`` None is the API token holder, who acts as the workspace owner.
    """
    if member is None:
        return
    if team_service.role_of(session, team=team, member=member) in (Role.ADMIN, Role.LEAD):
        return
    if item is not None and item.owner_id == member.id:
        return
    if roster.is_on_duty(session, team=team, member=member, at=now):
        return
    raise PermissionDenied("feedback.error.forbidden")


def desk_teams(
    session: Session,
    *,
    roster: Roster,
    workspace_id: int,
    member: Member,
    now: datetime,
    also: frozenset[int] = frozenset(),
) -> frozenset[int]:
    """The teams whose desk ``member`` works: :func:`require_desk` without an item, asked of
    every team of the workspace (a lead or admin there, or on its duty roster now). ``also``:
    teams known to be theirs by other means (a platform admin in that team's chat)."""
    led = set(
        session.scalars(
            select(TeamMembership.team_id).where(
                TeamMembership.member_id == member.id,
                TeamMembership.role.in_((Role.ADMIN.value, Role.LEAD.value)),
            )
        )
    )
    desk = set(also) | led
    for team in team_service.get_teams(session, workspace_id=workspace_id):
        if team.id not in desk and roster.is_on_duty(session, team=team, member=member, at=now):
            desk.add(team.id)
    return frozenset(desk)


def visibility(
    session: Session,
    *,
    roster: Roster,
    workspace_id: int,
    member: Member | None,
    now: datetime,
    also: frozenset[int] = frozenset(),
) -> feedback_queries.Scope | None:
    """What a listing may show ``member`` (None: everything, the API token), by the rule
    /反馈详情 asks of one item (``access.can_view``): the items of the teams whose desk they
    work, and their own reports and the items they own, in any team.

    Chat (/查找反馈), REST, CSV and the board put it in the query. It once said "everything"
    to anyone on *some* team's desk: 第二团队's admin searched 开发者社区's feedback and read
    its reporters' names (tester s18b F6)."""
    if member is None:
        return None
    desk = desk_teams(
        session, roster=roster, workspace_id=workspace_id, member=member, now=now, also=also
    )
    return feedback_queries.Scope(member_id=member.id, desk_team_ids=desk)


# -- intake ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    """A recorded item, who got it, and whether it waits for the next sign-in."""

    item: FeedbackItem
    owner: Member | None
    off_duty: bool
    # Who got it: "duty" (on duty now), "default" (the team's default owner or first admin),
    # "workspace" (an admin of the workspace's default team: the team has neither) or
    # "nobody"; ``rotation``: the team has a rotation, so a sign-in will pick up what waits.
    route: str = "duty"
    rotation: bool = True


def channel_name(session: Session, *, team: Team, platform: str, chat_key: str) -> str:
    """The configured name of the chat an item came from ('' when it is not a known channel)."""
    name = session.scalar(
        _CHANNEL_NAME,
        {"workspace_id": team.workspace_id, "platform": platform, "chat_key": chat_key},
    )
    return name or ""


# Built once: every /问题反馈 and /产品建议 asks it.
_CHANNEL_NAME = (
    select(Channel.name)
    .where(
        Channel.workspace_id == bindparam("workspace_id"),
        Channel.platform == bindparam("platform"),
        Channel.address == bindparam("chat_key"),
    )
    .limit(1)
)


def submit(
    session: Session,
    *,
    roster: Roster,
    team: Team,
    reporter: Member | None,
    kind: FeedbackKind,
    text: str,
    origin: Origin,
    now: datetime,
    reporter_name: str | None = None,
) -> Submitted:
    """Route to the person on duty (or the default owner), record, and queue the notices.

    The notice goes to the internal channel and the WeCom robot; a team with neither still
    reaches the owner, directly.
    """
    # The owner is mentioned in the notice and the reply: their identities come with the
    # roster's read of them (a /问题反馈 read them in a statement of their own).
    people = on_duty(session, roster=roster, team=team, at=now, kind=kind.value, identities=True)
    owner, route = (people[0], "duty") if people else (default_owner(session, team=team), "default")
    if owner is None:
        owner = workspace_owner(session, team=team)
        route = "workspace" if owner is not None else "nobody"
    rotation = bool(people) or roster.has_rotation(session, team=team)
    item = feedback_service.submit(
        session,
        team=team,
        reporter=reporter,
        kind=kind,
        text=text,
        origin=origin,
        owner=owner,
        now=now,
        digest_pending=not people,
        reporter_name=reporter_name,
    )
    notice = messages.new_notice(item, owner, off_duty=not people, route=route, team=team)
    queued = notify.to_channels(
        session,
        team=team,
        purpose=(ChannelPurpose.INTERNAL, ChannelPurpose.WEBHOOK),
        reply=notice,
        key=f"feedback.new:{item.id}",
        now=now,
    )
    # The workspace's admin is not on the team's channels: told directly, always.
    if owner is not None and (not queued or route == "workspace"):
        notify.to_member(
            session, member=owner, reply=notice, key=f"feedback.new:{item.id}", now=now
        )
    return Submitted(item=item, owner=owner, off_duty=not people, route=route, rotation=rotation)


# -- lifecycle ---------------------------------------------------------------------------------


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S%f")


def tell_reporter(
    session: Session, *, item: FeedbackItem, reply: Reply, key: str, now: datetime
) -> None:
    """Answer the reporter where they wrote (a reply in that chat), else directly.

    A reply to a channel with a night quiet window waits until the window ends.
    """
    if (
        item.origin_platform
        and item.origin_platform not in team_service.LOCAL_PLATFORMS
        and item.origin_chat_key
    ):
        channel = session.scalar(
            select(Channel)
            .where(
                Channel.workspace_id == item.workspace_id,
                Channel.platform == item.origin_platform,
                Channel.address == item.origin_chat_key,
            )
            .limit(1)
        )
        team = session.get(Team, item.team_id)
        hold = (
            quiet_until(now, team.timezone, channel.quiet_start, channel.quiet_end)
            if channel is not None and team is not None
            else None
        )
        outbox_service.enqueue(
            session,
            key=f"{key}:origin",
            platform=item.origin_platform,
            address=item.origin_chat_key,
            reply=reply,
            now=now,
            workspace_id=item.workspace_id,
            reply_to=item.origin_message_id,
            quiet_until=hold,
        )
        return
    reporter = session.get(Member, item.reporter_id) if item.reporter_id else None
    if reporter is not None:
        notify.to_member(session, member=reporter, reply=reply, key=key, now=now)


def _loop(
    session: Session,
    item: FeedbackItem,
    action: str,
    actor: Member | None,
    now: datetime,
    original_id: int | None = None,
) -> None:
    reporter = session.get(Member, item.reporter_id) if item.reporter_id else None
    reply = messages.reporter_update(
        item, action=action, reporter=reporter, actor=actor, original_id=original_id
    )
    tell_reporter(
        session,
        item=item,
        reply=reply,
        key=f"feedback.{action}:{item.id}:{_stamp(now)}",
        now=now,
    )


def acknowledge(
    session: Session,
    *,
    item: FeedbackItem,
    actor: Member | None,
    now: datetime,
    note: str | None = None,
) -> FeedbackItem:
    """Acknowledge; the reporter hears that someone is on it."""
    feedback_service.acknowledge(session, item=item, actor=actor, now=now, note=note)
    _loop(session, item, "acknowledged", actor, now)
    return item


def close(
    session: Session,
    *,
    item: FeedbackItem,
    status: FeedbackStatus,
    actor: Member | None,
    now: datetime,
    note: str | None = None,
) -> FeedbackItem:
    """Resolve or decline; the reporter hears it, with the note."""
    feedback_service.close(session, item=item, status=status, actor=actor, now=now, note=note)
    _loop(session, item, status.value, actor, now)
    return item


def mark_duplicate(
    session: Session,
    *,
    item: FeedbackItem,
    original: FeedbackItem,
    actor: Member | None,
    now: datetime,
    note: str | None = None,
) -> FeedbackItem:
    """Merge into the original; the reporter hears which item carries on."""
    feedback_service.mark_duplicate(
        session, item=item, original=original, actor=actor, now=now, note=note
    )
    _loop(session, item, "duplicate", actor, now, original_id=item.duplicate_of_id)
    return item


def reopen(
    session: Session,
    *,
    item: FeedbackItem,
    actor: Member | None,
    now: datetime,
    note: str | None = None,
) -> FeedbackItem:
    """Reopen; the reporter and the owner hear it."""
    feedback_service.reopen(session, item=item, actor=actor, now=now, note=note)
    _loop(session, item, "reopened", actor, now)
    owner = session.get(Member, item.owner_id) if item.owner_id else None
    if owner is not None and (actor is None or owner.id != actor.id):
        notify.to_member(
            session,
            member=owner,
            reply=messages.assigned_notice(item, owner, reopened=True),
            key=f"feedback.reopened.owner:{item.id}:{_stamp(now)}",
            now=now,
        )
    return item


def assign(
    session: Session,
    *,
    item: FeedbackItem,
    owner: Member,
    actor: Member | None,
    now: datetime,
    note: str | None = None,
) -> FeedbackItem:
    """Hand the item to ``owner``, who is told directly."""
    feedback_service.assign(session, item=item, owner=owner, actor=actor, now=now, note=note)
    item.digest_pending = False
    if actor is None or owner.id != actor.id:
        notify.to_member(
            session,
            member=owner,
            reply=messages.assigned_notice(item, owner),
            key=f"feedback.assigned:{item.id}:{owner.id}:{_stamp(now)}",
            now=now,
        )
    return item


# -- nothing falls through -----------------------------------------------------------------------


def on_signed_in(
    *, session: Session, roster: Roster, team: Team, member: Member, now: datetime
) -> None:
    """``duty.signed_in``: hand the items that came in while nobody was on duty to ``member``."""
    pending = feedback_queries.pending_digest(session, team=team)
    if not pending:
        return
    kinds = {
        kind
        for kind in ROTATION
        if any(
            m.id == member.id for m in on_duty(session, roster=roster, team=team, at=now, kind=kind)
        )
    }
    # Duty told us this person is on duty; if no rotation claims them, they take everything.
    mine = [i for i in pending if i.kind in (kinds or set(ROTATION))]
    if not mine:
        return
    for item in mine:
        if item.owner_id != member.id and item.status == FeedbackStatus.OPEN:
            feedback_service.assign(session, item=item, owner=member, actor=None, now=now)
        feedback_service.record_followup(
            session,
            item=item,
            action=FeedbackAction.DIGESTED,
            now=now,
            detail={"member_id": member.id},
        )
    reply = messages.digest(mine, member, team)
    key = f"feedback.digest:{team.id}:{member.id}:{mine[0].id}-{mine[-1].id}:{_stamp(now)}"
    notify.to_member(session, member=member, reply=reply, key=key, now=now)
    notify.to_channels(
        session, team=team, purpose=ChannelPurpose.INTERNAL, reply=reply, key=key, now=now
    )


def handoff_section(*, session: Session, team: Team, now: datetime, **_: Any) -> str | None:
    """``duty.handoff_digest``: the items still open, for the next person on duty."""
    items = feedback_queries.active_items(session, team=team)
    if not items:
        return None
    owners = team_service.members_by_id(session, (i.owner_id for i in items))
    return messages.handoff_section(items, owners)


def follow_up(
    session: Session, *, team: Team, now: datetime, workdays: Workdays
) -> list[tuple[int, str]]:
    """Re-notify unacknowledged items, then escalate them to the admins.

    Times are wall-clock for items someone on duty holds. An item that arrived while nobody was
    on duty waits for the next sign-in's digest instead of being re-notified; if nobody signs in
    for ``escalate_minutes`` of *working* time, the admins hear of it.

    One pass sends each recipient one message listing its items (not one per item), and
    escalations to the admins wait for working hours unless the team set
    ``escalate_in_quiet_hours``.

    Idempotent: notice keys name the items and the start of their waiting time, and each item
    records what was done, so running it again (or on two runners) sends nothing twice.
    """
    settings = feedback_settings.desk_settings(team)
    done: list[tuple[int, str]] = []
    if settings.renotify_minutes <= 0 and settings.escalate_minutes <= 0:
        return done
    items = feedback_queries.due_for_follow_up(
        session,
        team=team,
        now=now,
        renotify_minutes=settings.renotify_minutes,
        escalate_minutes=settings.escalate_minutes,
    )
    renotices: list[tuple[FeedbackItem, Member | None]] = []
    escalations: list[tuple[FeedbackItem, Member | None]] = []
    for item in items:
        if item.escalated_at is not None:
            continue
        if item.digest_pending:
            working = working_seconds(
                item.awaiting_since,
                now,
                tz=team.timezone,
                workdays=workdays,
                hours=settings.work_hours,
            )
            waited = timedelta(seconds=working)
        else:
            waited = now - item.awaiting_since
        owner = session.get(Member, item.owner_id) if item.owner_id else None
        if settings.escalate_minutes > 0 and waited >= timedelta(minutes=settings.escalate_minutes):
            escalations.append((item, owner))
        elif (
            not item.digest_pending
            and settings.renotify_minutes > 0
            and item.renotified_at is None
            and waited >= timedelta(minutes=settings.renotify_minutes)
        ):
            renotices.append((item, owner))
    if renotices:
        _send_renotices(session, team=team, now=now, entries=renotices, settings=settings)
        done += [(item.id, "renotified") for item, _ in renotices]
    if escalations:
        hold = (
            None
            if settings.escalate_in_quiet_hours
            else next_work_start(
                now, tz=team.timezone, workdays=workdays, hours=settings.work_hours
            )
        )
        _send_escalations(
            session, team=team, now=now, entries=escalations, settings=settings, hold=hold
        )
        done += [(item.id, "escalated") for item, _ in escalations]
    return done


def _batch_key(kind: str, entries: list[tuple[FeedbackItem, Member | None]]) -> str:
    """One key per set of items and their waiting times (a single item keeps its old key)."""
    stamps = [f"{item.id}:{_stamp(item.awaiting_since)}" for item, _ in entries]
    if len(stamps) == 1:
        return f"feedback.{kind}:{stamps[0]}"
    digest = hashlib.sha256(",".join(sorted(stamps)).encode()).hexdigest()[:16]
    return f"feedback.{kind}:{entries[0][0].id}+{len(entries) - 1}:{digest}"


def _send_renotices(
    session: Session,
    *,
    team: Team,
    now: datetime,
    entries: list[tuple[FeedbackItem, Member | None]],
    settings: feedback_settings.DeskSettings,
) -> None:
    by_owner: dict[int, list[tuple[FeedbackItem, Member | None]]] = {}
    owners: dict[int, Member] = {}
    for item, owner in entries:
        if owner is not None:
            by_owner.setdefault(owner.id, []).append((item, owner))
            owners[owner.id] = owner
    for owner_id, mine in by_owner.items():
        notify.to_member(
            session,
            member=owners[owner_id],
            reply=messages.renotify_batch(mine, settings.renotify_minutes),
            key=_batch_key("renotify", mine),
            now=now,
        )
    notify.to_channels(
        session,
        team=team,
        purpose=ChannelPurpose.INTERNAL,
        reply=messages.renotify_batch(entries, settings.renotify_minutes),
        key=_batch_key("renotify", entries),
        now=now,
    )
    for item, _ in entries:
        feedback_service.record_followup(
            session, item=item, action=FeedbackAction.RENOTIFIED, now=now
        )


def _send_escalations(
    session: Session,
    *,
    team: Team,
    now: datetime,
    entries: list[tuple[FeedbackItem, Member | None]],
    settings: feedback_settings.DeskSettings,
    hold: datetime | None,
) -> None:
    admins = team_service.admins(session, team=team)
    reply = messages.escalate_batch(entries, admins, settings.escalate_minutes)
    key = _batch_key("escalate", entries)
    for admin in admins:
        notify.to_member(session, member=admin, reply=reply, key=key, now=now, not_before=hold)
    notify.to_channels(
        session, team=team, purpose=ChannelPurpose.INTERNAL, reply=reply, key=key, now=now
    )
    for item, _ in entries:
        feedback_service.record_followup(
            session, item=item, action=FeedbackAction.ESCALATED, now=now
        )
