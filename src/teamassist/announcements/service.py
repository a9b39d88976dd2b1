"""Announce to a group or DM its members, through the outbox; read the receipts back.

The chat commands, the seed's grammar and the REST endpoints all call :func:`announce`. It
writes the announcement, one recipient row per destination, and queues every notice in the
caller's transaction (the boundary commits). A ``source_key`` seen before returns the first
announcement instead of sending again.

Action items are asked of whoever answers :class:`teamassist.events.FollowUpNeeded` (the
action-item desk), one per recipient; no answer is recorded as "not opened", never an error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, true
from sqlalchemy.orm import Session

from teamassist.announcements.groups import Group
from teamassist.announcements.models import (
    Announcement,
    AnnouncementKind,
    AnnouncementRecipient,
)
from teamassist.bidi import unmarked
from teamassist.chat import notify
from teamassist.chat.parser import LIST_WORDS
from teamassist.chat.quiet import quiet_until
from teamassist.chat.render import MENTION_TOKEN
from teamassist.chat.types import Person, Reply, plain_text
from teamassist.clock import beyond_horizon, ensure_utc, local, plan_horizon, read_in_zone
from teamassist.enums import Role
from teamassist.events import (
    FollowUpItems,
    FollowUpNeeded,
    FollowUpSourceChanged,
    MemberDeactivated,
    ask,
    publish,
)
from teamassist.exceptions import Conflict, Invalid, NotFound, PermissionDenied
from teamassist.i18n import t
from teamassist.outbox import service as outbox_service
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.team import people as team_people
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team, Workspace
from teamassist.team.names import clean_text, gist

MAX_TEXT = 2000  # characters of a body, as a chat message stays readable
TITLE_CHARS = 60  # an action item's title: the start of the text
# A send time this far past is "now" (a client's clock, a slow request); an earlier one is
# refused like a past deadline (session 14: send_at 2020 or year 1 sent at once, silently).
SEND_GRACE = timedelta(minutes=5)
# The same message by the same author to the same people within this is refused unless the
# author confirms (``force``): a tester's /群发 sent twice a second apart DMed everyone twice
# (A4, session 16). Retries of one request are told apart earlier, by ``source_key``.
REPEAT_WINDOW = timedelta(minutes=10)


def may_announce(session: Session, *, member: Member, group: Group, is_admin: bool) -> bool:
    """Admins of the group's team and its director may. ``is_admin``: the caller administers
    the group's team by other means (the root token, a platform admin in that team's chat);
    an admin of the speaker's own team is not enough (tester s18 F20)."""
    if is_admin or group.team.director_id == member.id:
        return True
    return team_service.role_of(session, team=group.team, member=member) is Role.ADMIN


def check_may_announce(session: Session, *, member: Member, group: Group, is_admin: bool) -> None:
    """PermissionDenied (a friendly one, naming the group) unless :func:`may_announce`."""
    if not may_announce(session, member=member, group=group, is_admin=is_admin):
        raise PermissionDenied("announcements.error.forbidden", group=group.name)


def check_due(due_at: datetime | None, now: datetime, zone: str) -> datetime | None:
    """The deadline as UTC (naive: the wall clock of ``zone``); it must lie ahead (the seed
    silently created overdue tasks) and at most a year ahead (Invalid
    ``announcements.error.due_too_far``, :func:`~teamassist.clock.plan_horizon`: a tester's
    9999-12-31 opened an action item per person due then)."""
    if due_at is None:
        return None
    due = _within_a_year(due_at, now, zone, "announcements.error.due_too_far")
    if due <= ensure_utc(now):
        raise Invalid("announcements.error.past_due")
    return due


_LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def _within_a_year(value: datetime, now: datetime, zone: str, too_far: str) -> datetime:
    """``value`` as UTC (naive: ``zone``'s wall clock); Invalid ``too_far`` after the plan
    horizon. A year past 2100 is refused before the zone arithmetic, which overflows at
    9999-12-31T23:59-12:00; one before 2000 is simply past (the caller refuses a past deadline
    and sends at once for a past send time), before the arithmetic that overflows at
    0001-01-01T00:00+01:00."""
    latest = plan_horizon(now, zone).isoformat()
    if value.year > 2100:
        raise Invalid(too_far, latest=latest)
    if value.year < 2000:  # past (0001-01-01T00:00+01:00 overflows as UTC): as any past time
        return _LONG_AGO
    found = read_in_zone(value, zone)
    if beyond_horizon(found, now, zone):
        raise Invalid(too_far, latest=latest)
    return found


def check_targets(
    session: Session, group: Group, kind: AnnouncementKind, people: Sequence[Member]
) -> None:
    """The people a chat message @s or a REST call names by id, checked the same way: someone
    who left is refused by name (they would get no DM and no action item); a bulk DM goes to
    the group's members only; a group post may @ anyone of the group's team (a core chat's
    post a member who is not core: they are told in the chat and own its action item), not
    someone outside it, as /销项 gives items only to the team's people (outside tester F5,
    session 23: 「/通知 全员群 @鲍勃 交材料 截止 …」 opened 开发者社区's item for 运维组's 鲍勃)."""
    gone = [m for m in people if team_service.has_left(m)]
    if gone:
        raise Invalid("announcements.error.left", name=gone[0].display_name)
    outsiders = [m for m in people if m not in group.members]
    if outsiders and kind is AnnouncementKind.BULK:
        raise Invalid(
            "announcements.error.unknown_name", name=outsiders[0].display_name, group=group.name
        )
    for member in outsiders:
        if team_service.role_of(session, team=group.team, member=member) is None:
            raise Invalid(
                "announcements.error.outside_team", name=member.display_name, team=group.team.name
            )


@dataclass(frozen=True)
class Outcome:
    """What :func:`announce` did: the announcement, whether it was sent before, and its action
    items: ``owners`` asked for (the targets, or the group's known members), ``opened`` made by
    the action desk. The author's reply names these numbers, not a promise (session 13: a
    group post to a core chat with no core members said "每位对象同时布置销项" and made none)."""

    announcement: Announcement
    duplicate: bool = False
    owners: int = 0
    opened: int = 0
    # the group's chats (a notice) or the DMs (a bulk DM) queued
    recipients: int = 0
    # a message to everyone in the group left its author, a member of it, out (tester N5,
    # session 16: a team-wide 群发 DMed its author and opened an action item for them)
    without_author: bool = False
    # the latest end of a group chat's quiet hours that holds the notice past its send time
    # (tester F4, session 18: the reply said nothing of the wait till 23:00)
    quiet_until: datetime | None = None
    # the owners of its action items set to leave before they are due, with when (name,
    # moment): the items are handed on at the departure, as /销项 warns (tester s25 F-6)
    leaving: tuple[tuple[str, datetime], ...] = ()


def _stored_outcome(session: Session, row: Announcement) -> Outcome:
    """A stored announcement as :class:`Outcome` names it (a retry answered with it)."""
    rows = session.execute(
        select(
            AnnouncementRecipient.member_id,
            AnnouncementRecipient.outbox_key,
            AnnouncementRecipient.action_note,
        ).where(AnnouncementRecipient.announcement_id == row.id)
    ).all()
    notes = [note for member_id, _key, note in rows if member_id is not None]
    sent = sum(1 for _member, key, _note in rows if key)
    if row.due_at is None:
        return Outcome(row, True, recipients=sent)
    opened = sum(1 for note in notes if note is not None)
    return Outcome(row, True, len(notes), opened, recipients=sent)


def announce(
    session: Session,
    *,
    workspace: Workspace,
    author: Member,
    group: Group,
    kind: AnnouncementKind,
    reply: Reply,
    now: datetime,
    targets: Sequence[Member] = (),
    due_at: datetime | None = None,
    title: str = "",
    send_at: datetime | None = None,
    source_key: str | None = None,
    force: bool = False,
) -> Outcome:
    """Queue ``reply`` to the group's chats (NOTICE) or to each target's DM (BULK).

    ``targets`` default to every member of the group; with ``due_at`` (UTC, ahead of ``now``)
    each target also gets an action item titled ``title``: a group post with no targets to a
    group with no known members (a core chat nobody is marked core in) makes none, and its
    message names the deadline without promising items. ``send_at`` holds the notices until
    then (the outbox's not-before; a channel's quiet hours may hold them longer). Both may be
    naive: read as the group team's wall clock.
    Raises Invalid for an empty body (nothing visible: spaces, zero-width characters or
    only @mentions), a past deadline, a ``send_at`` more than :data:`SEND_GRACE` past, a
    deadline or ``send_at`` more than a year ahead, or a group with nowhere to post.

    A ``source_key`` (the chat event that asked) seen before answers with its announcement (a
    redelivery). REST's ``Idempotency-Key`` is the HTTP kit's store's (``http.idempotency``),
    claimed before this is called.

    The same kind, group, body and people as the author's own announcement of the last
    :data:`REPEAT_WINDOW` is refused (Invalid ``announcements.error.repeat``, naming the first
    and when it was made) unless ``force``: a person who pressed send twice.
    """
    if source_key or not force:
        # One author's sends queue here until the first commits, so the checks below see it:
        # a double tap on PostgreSQL sent twice, 24 at once 18 times (tester F2, session 20).
        # The key is looked up after the lock too: looked up before it, retries of one key at
        # once found nothing, waited, then met the first as a repeat (MariaDB, 20 at once:
        # 17 × 422 「已经发过了」, tester s25 F-B6). Both servers run read committed: the
        # next statement reads what committed meanwhile.
        session.execute(select(Member.id).where(Member.id == author.id).with_for_update())
    if source_key:
        first = session.scalar(select(Announcement).where(Announcement.source_key == source_key))
        if first is not None:
            return _stored_outcome(session, first)
    # A stray RLM is no part of the text (tester s26 B-1); the repeat guard's gist ignores it.
    reply = reply.model_copy(update={"body": unmarked(reply.body)})
    # Only spaces or zero-width characters is an invisible DM; only @mentions says nothing
    # either, and its action items would be titled with the group's name (/群发 G @张三 截止 周五).
    if says_nothing(reply.body):
        raise Invalid("announcements.error.empty")
    if len(reply.body) > MAX_TEXT * 2:
        raise Invalid("announcements.error.too_long", limit=MAX_TEXT)
    zone = group.team.timezone
    due_at = check_due(due_at, now, zone)
    if send_at is not None:
        send_at = _within_a_year(send_at, now, zone, "announcements.error.send_too_far")
        if send_at < ensure_utc(now) - SEND_GRACE:  # year 1 too: a past deadline is refused
            raise Invalid("announcements.error.past_send", minutes=SEND_GRACE.seconds // 60)
    # Everyone in the group but the author, who knows what they wrote (tester N5, session 16).
    people = list(targets) or [m for m in group.members if m.id != author.id]
    without_author = not targets and len(people) < len(group.members)
    if kind is AnnouncementKind.NOTICE and not group.channels:
        raise Invalid("announcements.error.no_channel", group=group.name)
    if kind is AnnouncementKind.BULK and not people:
        raise Invalid("announcements.error.nobody", group=group.name)
    send = max(ensure_utc(send_at), now) if send_at is not None else now
    if due_at is not None and due_at <= send:  # the items would be due before anyone is told
        raise Invalid("announcements.error.due_before_send")
    # A group chat's quiet hours may hold the post past ``send``; a deadline inside the hold
    # would be due before anyone read it (tester F12, session 19: due 21:00, posted 23:30).
    holds = {
        channel.id: quiet_until(send, zone, channel.quiet_start, channel.quiet_end)
        for channel in (group.channels if kind is AnnouncementKind.NOTICE else [])
    }
    quiet = max((h for h in holds.values() if h is not None), default=None)
    if due_at is not None and quiet is not None and due_at <= quiet:
        raise Invalid(
            "announcements.error.due_in_quiet",
            due=wall_clock(due_at, zone),
            at=wall_clock(quiet, zone),
        )
    owners = people if (kind is AnnouncementKind.BULK or due_at) else []
    if not force:  # the author's row is locked above
        people_ids = {m.id for m in owners}
        _refuse_a_repeat(session, author, group, kind, reply.body, people_ids, due_at, now)
    row = Announcement(
        workspace_id=workspace.id,
        team_id=group.team.id,
        author_id=author.id,
        kind=kind.value,
        group_name=group.name[:200],
        body=reply.body,
        source_key=source_key[:191] if source_key else None,
        due_at=ensure_utc(due_at) if due_at else None,
        send_at=send,
        created_at=now,
    )
    session.add(row)
    session.flush()
    key = f"announcements:{row.id}"
    reply = _with_deadline(reply, due_at, zone, actions=bool(owners))
    if kind is AnnouncementKind.NOTICE:
        for channel in group.channels:
            hold = holds[channel.id]
            outbox_service.enqueue(
                session,
                key=f"{key}:ch{channel.id}",
                platform=channel.platform,
                address=channel.address,
                reply=reply,
                now=now,
                workspace_id=workspace.id,
                channel_id=channel.id,
                not_before=send,
                quiet_until=hold,
            )
            session.add(
                AnnouncementRecipient(
                    announcement_id=row.id,
                    channel_id=channel.id,
                    label=(channel.name or channel.address)[:200],
                    outbox_key=f"{key}:ch{channel.id}",
                )
            )
    opened = 0
    for member in owners:
        recipient = AnnouncementRecipient(
            announcement_id=row.id,
            member_id=member.id,
            label=member.display_name[:200],
            outbox_key=f"{key}:m{member.id}" if kind is AnnouncementKind.BULK else "",
        )
        session.add(recipient)
        session.flush()
        if kind is AnnouncementKind.BULK:
            notify.to_member(session, member=member, reply=reply, key=key, now=now, not_before=send)
        if due_at is not None:
            notes = ask(
                session,
                FollowUpNeeded(
                    team=group.team,
                    source_kind="announcement",
                    source_id=recipient.id,
                    owner_id=member.id,
                    requester_id=author.id,
                    title=title[:TITLE_CHARS] or group.name,
                    due=local(due_at, group.team.timezone).date(),
                    now=now,
                    due_at=ensure_utc(due_at),
                ),
            )
            recipient.action_note = notes[0] if notes else None
            opened += bool(notes)
    session.flush()
    leaving = [(m.display_name, team_people.leaves_by(m, due_at)) for m in owners] if due_at else []
    return Outcome(
        row,
        quiet_until=quiet,
        leaving=tuple((name, at) for name, at in leaving if at is not None),
        owners=len(owners) if due_at else 0,
        opened=opened,
        recipients=len(group.channels) if kind is AnnouncementKind.NOTICE else len(people),
        without_author=without_author,
    )


def _refuse_a_repeat(
    session: Session,
    author: Member,
    group: Group,
    kind: AnnouncementKind,
    body: str,
    people: set[int],
    due_at: datetime | None,
    now: datetime,
) -> None:
    """Invalid ``announcements.error.repeat`` when ``author`` made the same announcement (kind,
    group, body, the members it went to) in the last :data:`REPEAT_WINDOW`. The few recent
    rows of the author are compared here, not the body in SQL (a TEXT column compares
    differently on each backend). One sent without a deadline is not repeated by the same
    with a deadline: the author is adding the action items the first could not make (tester
    F5, session 19)."""
    recent = session.scalars(
        select(Announcement)
        .where(
            Announcement.author_id == author.id,
            Announcement.team_id == group.team.id,
            Announcement.kind == kind.value,
            Announcement.created_at >= ensure_utc(now) - REPEAT_WINDOW,
            Announcement.cancelled_at.is_(None),  # cancelled: sending it again is the fix
        )
        .order_by(Announcement.id.desc())
    ).all()
    words = _gist(body)
    for first in recent:
        if _gist(first.body) != words or first.group_name != group.name[:200]:
            continue
        if first.due_at is None and due_at is not None:
            continue
        went = session.scalars(
            select(AnnouncementRecipient.member_id).where(
                AnnouncementRecipient.announcement_id == first.id,
                AnnouncementRecipient.member_id.is_not(None),
            )
        ).all()
        if set(went) != people:
            continue
        at = local(ensure_utc(first.created_at), group.team.timezone)
        seconds = max(0, int((ensure_utc(now) - ensure_utc(first.created_at)).total_seconds()))
        said: dict[str, object] = {
            "id": first.id,
            "at": f"{at:%H:%M:%S}",
            "ago": t("announcements.ago.seconds", n=seconds)
            if seconds < 60
            else t("announcements.ago.minutes", n=seconds // 60),
            "minutes": REPEAT_WINDOW.seconds // 60,
        }
        # Still held (a later send time, a chat's quiet hours): not "sent" yet, and /取消通知
        # then sending again is the clean way (tester F5, session 21).
        held = _held(session, first, now)
        if first.due_at is None or due_at is None or ensure_utc(first.due_at) == ensure_utc(due_at):
            raise Invalid(
                "announcements.error.repeat_held" if held else "announcements.error.repeat",
                **said,
            )
        # Only the deadline differs: the reply says so, names the items the first one made and
        # what moves them (tester F15, session 20); /延期销项 only moves a deadline later, so an
        # earlier one is told so (tester F5, session 21).
        zone = group.team.timezone
        said |= {
            "was": f"{local(ensure_utc(first.due_at), zone):%m-%d %H:%M}",
            "now": f"{local(ensure_utc(due_at), zone):%m-%d %H:%M}",
            "items": _items_of(session, group.team, first),
        }
        if held:
            raise Invalid("announcements.error.repeat_other_due_held", **said)
        if ensure_utc(due_at) < ensure_utc(first.due_at):
            raise Invalid("announcements.error.repeat_earlier_due", **said)
        raise Invalid("announcements.error.repeat_other_due", **said)


# What is no content beside mentions: list punctuation, sentence marks and the words joining
# two mentions (chat.parser.LIST_WORDS).
_NO_WORDS = re.compile(r"[\s,，、;；:：。.!！?？~～…]+")


def says_nothing(body: str) -> bool:
    """Whether a body (reply markdown, mentions as tokens) says nothing once its @mentions
    are taken out: blanks, invisible characters, list punctuation and joining words only
    (「@张三 和」「@张三 ，」). One rule for /通知 and /群发 (and REST): /群发 left such a
    list out of each DM and refused it as empty, /通知 posted 「@张三 和」 (tester 2 F6,
    session 21)."""
    rest = clean_text(plain_text(MENTION_TOKEN.sub(" ", body)))
    joining = {word.lower() for word in LIST_WORDS}
    return all(word.lower() in joining for word in _NO_WORDS.split(rest) if word)


def _held(session: Session, row: Announcement, now: datetime) -> bool:
    """Whether nothing of ``row`` has gone out yet and it waits for a later time (its send
    time, or a chat's quiet hours): every notice ``scheduled`` in its receipts."""
    states = {r.status for r in receipts(session, announcement=row, now=now)} - {"action"}
    return states == {"scheduled"}


def _items_of(session: Session, team: Team, row: Announcement) -> str:
    """The numbers of the open action items ``row`` made (「#12、#13」), or the receipts
    command that lists them when the action desk does not answer."""
    recipients = session.scalars(
        select(AnnouncementRecipient.id).where(AnnouncementRecipient.announcement_id == row.id)
    ).all()
    answers = ask(
        session, FollowUpItems(team=team, source_kind="announcement", source_ids=tuple(recipients))
    )
    ids = sorted({i for found in answers for i in found})
    if not ids:
        return t("announcements.error.repeat_no_items", id=row.id)
    return "、".join(f"#{i}" for i in ids)


# chat.confirm.split_force's word, as a repeat's gist leaves it out when glued to the text.
_CONFIRM_WORD = "确认重发"


def _gist(body: str) -> str:
    """What makes two announcements "the same" for :func:`_refuse_a_repeat`: the words without
    the @mentions (who is mentioned is compared as a set), folded by ``names.gist``: blanks,
    width, case and closing punctuation make no difference. A tester's retyped 群发 with the
    same two people mentioned in the other order, IME full-width spaces or an added "。" went
    out again (session 18, F4), and so did 「明天下午 开会」, 「meeting TOMORROW」 and
    「ｍｅｅｔｉｎｇ」 (tester F-B12, session 25)."""
    words = gist(MENTION_TOKEN.sub(" ", plain_text(body)))
    # The confirmation word typed without the space before it (交周报确认重发) is not taken off
    # the message, so it would pass as new words: it is the same message, refused with the
    # reply saying how to confirm (tester 2, session 18).
    return gist(words.removesuffix(_CONFIRM_WORD))


def _with_deadline(reply: Reply, due_at: datetime | None, zone: str, *, actions: bool) -> Reply:
    """The message as delivered: with a deadline, a last line names it. ``/通知 … 截止 周五``
    reads the deadline off the text, and a tester's recipients got "请提交周报" alone (session
    13); only the author's receipt and the action items knew when it was due. The stored body
    stays as the author wrote it. The line says action items were made only when someone owns
    one (``actions``)."""
    if due_at is None:
        return reply
    key = "announcements.due_line" if actions else "announcements.due_line_only"
    line = t(key, due=wall_clock(due_at, zone))
    return reply.model_copy(update={"body": f"{reply.body}\n{line}"})


def wall_clock(value: datetime, zone: str) -> str:
    """``2026年12月4日 18:00``: ``value`` in ``zone``, as replies and messages name a time."""
    at = local(ensure_utc(value), zone)
    return f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"


def may_cancel(
    session: Session, *, member: Member | None, row: Announcement, is_admin: bool
) -> bool:
    """Its author, or an admin of the announcement's team (``is_admin``: the boundary says
    the caller administers that team) may cancel an announcement."""
    if is_admin:
        return True
    if member is None:
        return False
    if row.author_id == member.id:
        return True
    team = session.get(Team, row.team_id)
    return (
        team is not None and team_service.role_of(session, team=team, member=member) is Role.ADMIN
    )


@dataclass(frozen=True)
class Cancelled:
    """What :func:`cancel` did: the announcement, its notices withdrawn and the action items
    it asked the action desk to close."""

    announcement: Announcement
    withdrawn: int
    closed: int


def cancel(
    session: Session,
    *,
    workspace_id: int,
    announcement_id: int,
    member: Member | None,
    is_admin: bool,
    now: datetime,
) -> Cancelled:
    """Cancel an announcement that has not gone out yet (tester A1, session 16: a scheduled
    bulk DM with a typo could not be stopped). In this transaction its pending notices are
    withdrawn (deleted from the outbox, as a leaver's copies are) and the action items opened
    for it at creation are closed as cancelled (:class:`FollowUpSourceChanged`, telling nobody:
    nothing of it reached them); the row and its recipients stay, so the receipts say 已取消.

    Refused: NotFound for another workspace's or no announcement; PermissionDenied unless
    :func:`may_cancel`; Conflict when already cancelled, or when any of its notices is no
    longer pending and untried (claimed by a delivery worker, sent, failed, or tried once:
    its send time alone does not refuse, since quiet hours or a rate limit may hold it): the
    outbox rows are read with a locking read, so a worker's claim and this cancel never both
    win — the claim waits for the cancel, which deleted the rows, or the cancel sees the claim
    and refuses. A delivery worker therefore never holds a notice of a cancelled announcement."""
    row = get(session, workspace_id=workspace_id, announcement_id=announcement_id)
    if not may_cancel(session, member=member, row=row, is_admin=is_admin):
        raise PermissionDenied("announcements.error.cancel_forbidden", id=row.id, kind=_kind(row))
    # Two cancels at once: the second waits here and then sees the first.
    session.refresh(row, with_for_update=True)
    if row.cancelled_at is not None:
        raise Conflict("announcements.error.already_cancelled", id=row.id, kind=_kind(row))
    team = session.get(Team, row.team_id)
    assert team is not None  # the foreign key
    recipients = session.scalars(
        select(AnnouncementRecipient)
        .where(AnnouncementRecipient.announcement_id == row.id)
        .order_by(AnnouncementRecipient.id)
    ).all()
    keys = [r.outbox_key for r in recipients if r.outbox_key]
    queued = (
        session.execute(
            select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.attempts)
            .where(OutboxMessage.idempotency_key.in_(keys))
            .with_for_update()
        ).all()
        if keys
        else []
    )
    # Untried is what counts, not the send time: a notice held by a chat's quiet hours or a
    # platform's rate limit past its send time reached nobody (tester F18, session 18). One
    # tried once may have arrived (a timeout), so it is not withdrawn.
    if any(status != OutboxStatus.PENDING.value or attempts for _id, status, attempts in queued):
        raise Conflict(
            "announcements.error.cancel_too_late",
            id=row.id,
            kind=_kind(row),
            at=wall_clock(row.send_at, team.timezone),
        )
    if queued:
        session.execute(
            delete(OutboxMessage)
            .where(OutboxMessage.id.in_([outbox_id for outbox_id, _status, _tries in queued]))
            .execution_options(synchronize_session=False)
        )
    row.cancelled_at = now
    row.cancelled_by_id = member.id if member is not None else None
    closed = 0
    for recipient in recipients:
        if recipient.member_id is not None and recipient.action_note is not None:
            closed += 1
            publish(
                session,
                FollowUpSourceChanged(
                    team=team,
                    source_kind="announcement",
                    source_id=recipient.id,
                    due_at=None,
                    cancelled=True,
                    now=now,
                    title=t(
                        "announcements.cancelled_source",
                        kind=_kind(row),
                        id=row.id,
                        group=row.group_name,
                    ),
                    # Nothing of it went out (above): a message about the items would be the
                    # first its recipients hear of it (tester F3, session 18).
                    tell=False,
                ),
            )
    session.flush()
    return Cancelled(row, len(queued), closed)


@dataclass(frozen=True)
class Receipt:
    """One recipient's state: ``status`` is ``sent``, ``pending``, ``failed``, ``action``
    (an action-item owner of a group post, told by the action desk), ``scheduled`` (held
    until the announcement's send time), ``left`` (left by the send time: not sent) or
    ``cancelled`` (the announcement was cancelled before it went out)."""

    label: str
    status: str
    member_id: int | None
    channel_id: int | None
    action_note: str | None
    # when a ``scheduled`` one goes: its send time, or the end of the quiet hours holding it
    goes_at: datetime | None = None


def get(session: Session, *, workspace_id: int, announcement_id: int) -> Announcement:
    """One announcement of the workspace, or NotFound."""
    row = session.get(Announcement, announcement_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound("announcements.error.not_found", id=announcement_id)
    return row


def mentioned(session: Session, announcement: Announcement) -> dict[int, Person]:
    """The members the stored body @-mentions (its ``<@m:ID>`` tokens), by id, for rendering it
    again: a REST read showed each mention as "@?" without them (session 13). A member of
    another workspace is left out (rendered "@?")."""
    ids = {int(found) for found in MENTION_TOKEN.findall(announcement.body)}
    return {
        member.id: team_service.person(member)
        for member in team_service.members_by_id(session, ids).values()
        if member.workspace_id == announcement.workspace_id
    }


def receipts(session: Session, *, announcement: Announcement, now: datetime) -> list[Receipt]:
    """Each recipient and where its notice is, from the outbox (one query each way). A notice
    held for a later send time is ``scheduled``, not ``pending`` (a tester's receipts said
    发送中 for 29 hours, session 16); a member's copy dropped because they left by the send
    time (:func:`drop_copies_of_leaver`) is ``left``; one whose outbox row retention purged
    after delivery is still ``sent`` (it read 发送失败 before session 18)."""
    rows = session.scalars(
        select(AnnouncementRecipient)
        .where(AnnouncementRecipient.announcement_id == announcement.id)
        .order_by(AnnouncementRecipient.id)
    ).all()
    keys = [r.outbox_key for r in rows if r.outbox_key]
    found = (
        session.execute(
            select(
                OutboxMessage.idempotency_key,
                OutboxMessage.status,
                OutboxMessage.attempts,
                OutboxMessage.next_attempt_at,
            ).where(OutboxMessage.idempotency_key.in_(keys))
        ).all()
        if keys
        else []
    )
    states = {key: status for key, status, _tries, _next in found}
    # Untried and not before a later time: a chat's quiet hours hold it (tester F18: it read
    # 发送中 for three hours); a retry's back-off is still 发送中.
    waiting = {
        key: ensure_utc(next_at)
        for key, _status, tries, next_at in found
        if not tries and ensure_utc(next_at) > ensure_utc(now)
    }
    held = ensure_utc(announcement.send_at) > ensure_utc(now)
    send_at = ensure_utc(announcement.send_at)
    gone = [r.member_id for r in rows if r.outbox_key and r.outbox_key not in states]
    people = team_service.members_by_id(session, [i for i in gone if i is not None])
    result = []
    for r in rows:
        if announcement.cancelled_at is not None:
            status = "cancelled"  # nothing of it went out (cancel refuses once anything did)
        elif not r.outbox_key:
            status = "action"
        else:
            state = states.get(r.outbox_key)
            # No row: retention purged it, and it purges only sent notices (chat.retention);
            # a cancelled announcement and a leaver's dropped copy are told apart above/below.
            status = {
                OutboxStatus.SENT.value: "sent",
                OutboxStatus.DEAD.value: "failed",
            }.get(state or "", "pending" if state else "sent")
            if status == "pending" and (held or r.outbox_key in waiting):
                status = "scheduled"
            member = people.get(r.member_id) if state is None and r.member_id else None
            if member is not None and _left_by(member, send_at):
                status = "left"
        note = r.action_note
        if note is not None and announcement.cancelled_at is not None:
            note = t("announcements.receipts.action_closed")  # closed by the cancel
        goes_at = None
        if status == "scheduled":
            goes_at = waiting.get(r.outbox_key or "", send_at)
        result.append(Receipt(r.label, status, r.member_id, r.channel_id, note, goes_at))
    return result


def listing(
    session: Session, *, workspace_id: int, team_id: int | None = None, limit: int = 50
) -> list[Announcement]:
    """The workspace's latest announcements (``team_id``: that team's), newest first."""
    query = select(Announcement).where(Announcement.workspace_id == workspace_id)
    if team_id is not None:
        query = query.where(Announcement.team_id == team_id)
    return list(session.scalars(query.order_by(Announcement.id.desc()).limit(limit)))


def _kind(row: Announcement) -> str:
    """通知 or 群发, as replies name an announcement."""
    return t(f"announcements.word.{row.kind}")


def _left_by(member: Member, moment: datetime) -> bool:
    """Whether ``member`` had left (deactivated or merged away) at ``moment``."""
    return member.deactivated_at is not None and ensure_utc(member.deactivated_at) <= moment


def drop_copies_of_leaver(session: Session, event: MemberDeactivated) -> int:
    """A member who leaves before a bulk DM's send time gets no copy: their pending copies of
    bulk DMs not yet due are deleted here, before the team domain re-routes the member's
    pending direct notices to the duty channel (a tester's 赵六 left and his copy of a team-wide
    DM went to the duty channel while his receipt said 发送中, session 16: the others get their
    own copy, so it was noise). The receipt says ``left``. Personal notices still re-route.
    A departure set for a later day changes nothing yet (heard again when it takes effect).
    Returns how many copies were dropped."""
    if event.at > event.now:
        return 0
    keys = session.scalars(
        select(AnnouncementRecipient.outbox_key)
        .join(Announcement, Announcement.id == AnnouncementRecipient.announcement_id)
        .where(
            AnnouncementRecipient.member_id == event.member_id,
            AnnouncementRecipient.outbox_key != "",
            Announcement.kind == AnnouncementKind.BULK.value,
            Announcement.send_at >= event.at,
            # left only some teams: the other teams' broadcasts still reach them
            true() if event.whole else Announcement.team_id.in_(event.team_ids),
        )
    ).all()
    if not keys:
        return 0
    result = session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.idempotency_key.in_(list(keys)),
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
