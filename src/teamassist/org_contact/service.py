"""Reach a team's director (有事儿找组织) and relay the director's replies back.

The sender is always the member the boundary identified (the dispatcher's resolved sender, the
signed-in member): no function here takes a name or id from the message. Anonymous messages
show the director only an opaque code (``R-12``); replies go back through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamassist.chat import notify
from teamassist.chat.types import InboundMessage, Reply, user_text
from teamassist.clock import ensure_utc, local
from teamassist.exceptions import Conflict, Invalid, NotFound, PermissionDenied
from teamassist.i18n import lookup, t
from teamassist.org_contact import settings as contact_settings
from teamassist.org_contact.models import OrgMessage, OrgReply
from teamassist.team import people
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team, TeamMembership
from teamassist.team.names import clean_text, gist

MAX_TEXT = 2000
# A message the sender sends again this soon, retyped or not, is a double tap or a retry: the
# first one stands and the reader is not told twice (tester s25 F-12's follow-up: the same
# text twice reached the director twice). The window of the feedback desk's repeat guard.
REPEAT_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Sent:
    """A message on its way: the row, who reads it, and how the sender addresses them."""

    message: OrgMessage
    recipient: Member
    address: str  # the recipient's 称呼 (王总)
    small_team: bool  # anonymity is weak: the team has few members
    route: Route | None = None  # why this recipient (None: the team's own director)
    repeat: bool = False  # the same message sent moments ago: nothing new was sent


def split_anonymous(text: str) -> tuple[bool, str]:
    """``匿名 加班太多`` → (True, "加班太多"); the anonymous words are in the catalogue.

    Both ways in read it, ``/找组织`` and the seed's ``***我有事儿找组织***`` form: a person who
    wrote 匿名 in either must not be named (tester s16 M9)."""
    words = [str(w) for w in lookup("org_contact.anonymous_words") or []]
    head, _, rest = text.strip().partition(" ")
    if head.casefold() in {w.casefold() for w in words}:
        return True, rest
    for word in words:
        if text.strip().startswith(word) and not word.isascii():
            rest = text.strip()[len(word) :]
            if not rest or rest[0] in _AFTER_THE_WORD:  # "匿名：加班太多"
                return True, rest.lstrip(_AFTER_THE_WORD)
            # "匿名的意见：…" starts a sentence: kept whole, yet still anonymous, since a
            # person who began with the word may mean it (tester F9, session 18: the text
            # arrived as 「的意见：食堂太差」).
            return True, text.strip()
    return False, text


# What may follow the anonymous word when it is a word of its own.
_AFTER_THE_WORD = " \u3000:：，,、"


def _text(value: str) -> str:
    text = clean_text(value)  # "" for only zero-width or control characters: an empty letter
    if not text:
        raise Invalid("org_contact.error.empty")
    if len(text) > MAX_TEXT:
        raise Invalid("org_contact.error.too_long", limit=MAX_TEXT)
    return text


def _day_start(team: Team, now: datetime) -> datetime:
    """The start of the team-local day ``now`` falls in, as UTC."""
    at = local(now, team.timezone)
    return ensure_utc(at.replace(hour=0, minute=0, second=0, microsecond=0))


def _team_size(session: Session, team: Team) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(TeamMembership)
            .join(Member, Member.id == TeamMembership.member_id)
            .where(TeamMembership.team_id == team.id, Member.active.is_(True))
        )
        or 0
    )


def _sent_today(
    session: Session, *, team: Team, sender: Member, now: datetime
) -> list[tuple[int, int, bool, str, datetime]]:
    """The messages ``sender`` sent since the team-local day began, as (id, team id,
    anonymous, text, created at), read so that two sends at once see one another: the
    sender's row is locked first (the second send waits for the first to commit), then the
    messages are read with a locking read, which sees that commit even under MariaDB's
    repeatable read. SQLite's writer lock serialises the units already."""
    session.execute(select(Member.id).where(Member.id == sender.id).with_for_update())
    rows = session.execute(
        select(
            OrgMessage.id,
            OrgMessage.team_id,
            OrgMessage.anonymous,
            OrgMessage.text,
            OrgMessage.created_at,
        )
        .where(OrgMessage.sender_id == sender.id, OrgMessage.created_at >= _day_start(team, now))
        .with_for_update()
    ).all()
    return [(r[0], r[1], r[2], r[3], ensure_utc(r[4])) for r in rows]


def _repeat_of(
    sent: list[tuple[int, int, bool, str, datetime]],
    *,
    team: Team,
    body: str,
    anonymous: bool,
    now: datetime,
) -> int | None:
    """The id of a message in ``sent`` that this one repeats: to the same team, named or
    anonymous alike, within :data:`REPEAT_WINDOW`, the same text by ``names.gist`` (case,
    width, blanks beside Chinese, a closing mark and invisible marks aside)."""
    key = gist(body)
    for message_id, team_id, was_anonymous, text, at in sent:
        if (
            team_id == team.id
            and was_anonymous == anonymous
            and at >= now - REPEAT_WINDOW
            and gist(text) == key
        ):
            return message_id
    return None


# The routes whose reader is outside the sender's team: the sender is told why (a catalogue
# line ``org_contact.ack.route.<via>`` each).
TOLD_ROUTES: tuple[str, ...] = ("parent", "workspace")


@dataclass(frozen=True)
class Route:
    """Who reads a message and why: ``team`` (the team's own director or stand-in),
    ``parent`` (the stand-in of a team above it in the org chart, ``through`` names that
    team) or ``workspace`` (an admin of the workspace's default team, who runs the
    workspace's people; ``through`` names that team)."""

    reader: Member
    via: str
    through: Team
    team: Team  # the team the message was for


def _usable(member: Member, sender: Member) -> bool:
    return member.id != sender.id and member.active and member.merged_into_id is None


def _reader(session: Session, *, team: Team, sender: Member) -> Route:
    """Who reads a message from ``sender``, never the sender: the team's director or
    stand-in (leader, then admins); else, up the org chart, each parent team's; else an admin
    of the workspace's default team (the workspace's own admins, who may administer every
    member). Never the admin of an unrelated team: a team's only admin once reached a
    stranger team's admin, who happened to come first by id (tester F-12, session 25).
    When the sender is the one who would read it and nobody else can, Conflict
    ``org_contact.error.only_you`` says so; with nobody at all, ``nobody``."""
    own = team_service.director_or_stand_in(session, team=team)
    readers = [m for m in own if _usable(m, sender)]
    if readers:
        return Route(readers[0], "team", team, team)
    seen = {team.id}
    above = session.get(Team, team.parent_id) if team.parent_id else None
    while above is not None and above.id not in seen:
        seen.add(above.id)
        found = [
            m for m in team_service.director_or_stand_in(session, team=above) if _usable(m, sender)
        ]
        if found:
            return Route(found[0], "parent", above, team)
        above = session.get(Team, above.parent_id) if above.parent_id else None
    home = team_service.default_team(session, workspace_id=team.workspace_id)
    for admin in team_service.admins(session, team=home):
        if _usable(admin, sender):
            return Route(admin, "workspace", home, team)
    if any(m.id == sender.id for m in own):
        raise Conflict("org_contact.error.only_you", team=team.name)
    raise Conflict("org_contact.error.nobody", team=team.name)


def reach(
    session: Session,
    *,
    team: Team,
    sender: Member,
    text: str,
    anonymous: bool,
    now: datetime,
    via: InboundMessage | None = None,
) -> Sent:
    """Send ``text`` from ``sender`` to the director of ``team`` (else the stand-in:
    leader, then admins; else a parent team's, else the workspace's admins: :func:`_reader`); raises
    PermissionDenied when the sender is not in the team, Invalid for an empty text or the
    daily limit reached, Conflict when nobody but the sender could read it.
    ``via`` is the chat message that carried it (recorded, so the export can withhold it).
    The same message again within :data:`REPEAT_WINDOW` sends nothing: the first one is
    returned with ``repeat=True`` (before the daily limit is counted: a retry of the last
    message of the day is told it arrived, not that the limit is reached)."""
    body = _text(text)
    if team_service.role_of(session, team=team, member=sender) is None:
        raise PermissionDenied("org_contact.error.not_member", team=team.name)
    knobs = contact_settings.of(team)
    today = _sent_today(session, team=team, sender=sender, now=now)
    first = _repeat_of(today, team=team, body=body, anonymous=anonymous, now=now)
    repeated = first and _repeated(session, team=team, message_id=first, knobs=knobs)
    if repeated:
        return repeated
    if len(today) >= knobs.daily_limit:
        raise Invalid("org_contact.error.limit", limit=knobs.daily_limit)
    route = _reader(session, team=team, sender=sender)
    recipient = route.reader
    row = OrgMessage(
        workspace_id=team.workspace_id,
        team_id=team.id,
        sender_id=sender.id,
        recipient_id=recipient.id,
        anonymous=anonymous,
        text=body,
        code="",
        created_at=now,
        inbound_platform=via.platform.value if via else None,
        inbound_tenant=via.tenant_key[:128] if via else None,
        inbound_event_id=via.event_id[:128] if via else None,
    )
    session.add(row)
    session.flush()
    row.code = f"R-{row.id}"
    if anonymous:
        notice = t("org_contact.to_director.anonymous", code=row.code, text=user_text(body))
    else:
        notice = t(
            "org_contact.to_director.named",
            name=user_text(sender.display_name),
            code=row.code,
            text=user_text(body),
        )
    notify.to_member(
        session,
        member=recipient,
        reply=Reply(title=t("org_contact.to_director.title"), body=notice),
        key=f"org_contact.message:{row.id}",
        now=now,
    )
    session.flush()
    small = anonymous and _team_size(session, team) <= knobs.small_team
    # addressed as in the team they read for: a parent team's director is 李总 there
    return Sent(row, recipient, people.addressed_as(recipient, route.through), small, route)


def _repeated(
    session: Session,
    *,
    team: Team,
    message_id: int,
    knobs: contact_settings.OrgContactSettings,
) -> Sent | None:
    """The earlier message a repeat stands for, naming the reader it reached (the route is
    not derived again); None when that reader's row is gone, so the message goes anew."""
    message = session.get_one(OrgMessage, message_id)
    reader = session.get(Member, message.recipient_id) if message.recipient_id else None
    if reader is None:
        return None
    small = message.anonymous and _team_size(session, team) <= knobs.small_team
    return Sent(message, reader, people.addressed_as(reader, team), small, None, repeat=True)


def get_by_code(session: Session, *, workspace_id: int, code: str) -> OrgMessage:
    """A message by its code (``R-12``, case and ``#`` forgiven), or NotFound."""
    wanted = code.strip().lstrip("#").upper()
    row = session.scalar(
        select(OrgMessage).where(OrgMessage.workspace_id == workspace_id, OrgMessage.code == wanted)
    )
    if row is None:
        raise NotFound("org_contact.error.unknown_code", code=wanted[:16])
    return row


def answer(
    session: Session, *, message: OrgMessage, author: Member, text: str, now: datetime
) -> OrgReply:
    """Relay ``text`` from the message's recipient to its sender; PermissionDenied for anyone
    else (the sender's identity stays with the desk)."""
    body = _text(text)
    if message.recipient_id != author.id:
        raise PermissionDenied("org_contact.error.not_yours", code=message.code)
    sender = session.get(Member, message.sender_id)
    if sender is None or not sender.active:
        raise Conflict("org_contact.error.sender_left", code=message.code)
    row = OrgReply(message_id=message.id, author_id=author.id, text=body, created_at=now)
    session.add(row)
    session.flush()
    team = session.get(Team, message.team_id)
    who = people.addressed_as(author, team) if team else author.display_name
    notify.to_member(
        session,
        member=sender,
        reply=Reply(
            body=t(
                "org_contact.to_sender",
                who=user_text(who),
                code=message.code,
                text=user_text(body),
            )
        ),
        key=f"org_contact.reply:{row.id}",
        now=now,
    )
    return row


def inbox(
    session: Session, *, recipient: Member, since: datetime | None = None, limit: int = 100
) -> list[tuple[OrgMessage, str | None, int]]:
    """Messages to ``recipient``, newest first: each with the sender's name (None when
    anonymous: the name is never loaded for those) and the number of replies."""
    query = select(OrgMessage).where(OrgMessage.recipient_id == recipient.id)
    if since is not None:
        query = query.where(OrgMessage.created_at >= since)
    rows = list(session.scalars(query.order_by(OrgMessage.id.desc()).limit(limit)))
    named = team_service.names_by_id(session, [r.sender_id for r in rows if not r.anonymous])
    counts = (
        dict(
            session.execute(
                select(OrgReply.message_id, func.count())
                .where(OrgReply.message_id.in_([r.id for r in rows]))
                .group_by(OrgReply.message_id)
            ).all()
        )
        if rows
        else {}
    )
    return [
        (r, None if r.anonymous else named.get(r.sender_id), int(counts.get(r.id, 0))) for r in rows
    ]


RECENT = timedelta(days=90)  # what /找组织收件箱 lists
