"""One-time sign-in links: ``/登录`` in any chat, or an admin's REST call, sends one privately.

A link holds a random token; only its SHA-256 is stored. It is good for :data:`LINK_MINUTES`
and for one sign-in: opening it shows a confirm page (link previewers and unfurlers only GET,
so they never spend it), and the confirming POST marks it used with a conditional UPDATE in
the same transaction that starts the session. Of two concurrent confirmations exactly one
updates the row; the other finds it used and changes nothing.

The chat command and ``POST /api/v1/members/{id}/sign-in-link`` both call :func:`send_link`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from teamassist.chat import notify
from teamassist.chat.types import Reply
from teamassist.i18n import t
from teamassist.outbox import service as outbox_service
from teamassist.team.models import Member, SignInLink

LINK_MINUTES = 10
PATH = "/auth/link/"


class LinkState(StrEnum):
    """What opening a link finds."""

    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"
    UNKNOWN = "unknown"  # never issued, mistyped, or its member is gone or deactivated


@dataclass(frozen=True)
class IssuedLink:
    """A freshly issued link: the URL (shown only to its member) and when it stops working."""

    url: str
    expires_at: datetime


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(session: Session, *, member: Member, now: datetime, public_url: str) -> IssuedLink:
    """Store a new single-use link for ``member``; the raw token exists only in the URL."""
    raw = secrets.token_urlsafe(32)
    expires = now + timedelta(minutes=LINK_MINUTES)
    session.add(
        SignInLink(token_hash=_hash(raw), member_id=member.id, created_at=now, expires_at=expires)
    )
    session.flush()
    return IssuedLink(url=f"{public_url.rstrip('/')}{PATH}{raw}", expires_at=expires)


def _usable(member: Member | None) -> bool:
    return (
        member is not None
        and member.active  # one set to leave on a later date may sign in until then
        and member.merged_into_id is None
    )


def state(session: Session, *, raw: str, now: datetime) -> LinkState:
    """What the link ``raw`` is now (read only: the confirm page shows it)."""
    link = session.scalar(select(SignInLink).where(SignInLink.token_hash == _hash(raw)))
    if link is None or not _usable(session.get(Member, link.member_id)):
        return LinkState.UNKNOWN
    if link.used_at is not None:
        return LinkState.USED
    if link.expires_at <= now:
        return LinkState.EXPIRED
    return LinkState.VALID


def member_of(session: Session, *, raw: str) -> Member | None:
    """The member a link signs in as."""
    return session.scalar(
        select(Member)
        .join(SignInLink, SignInLink.member_id == Member.id)
        .where(SignInLink.token_hash == _hash(raw))
    )


def redeem(session: Session, *, raw: str, now: datetime) -> tuple[LinkState, Member | None]:
    """Spend the link: ``(VALID, member)`` for the one caller that spends it, else why not.

    The caller starts the member's session in the same transaction, so a failed sign-in leaves
    the link unspent.
    """
    found = state(session, raw=raw, now=now)
    if found is not LinkState.VALID:
        return found, None
    spent = session.execute(
        update(SignInLink)
        .where(
            SignInLink.token_hash == _hash(raw),
            SignInLink.used_at.is_(None),
            SignInLink.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        return LinkState.USED, None  # another confirmation won the race
    member_id = session.scalar(
        select(SignInLink.member_id).where(SignInLink.token_hash == _hash(raw))
    )
    return LinkState.VALID, session.get(Member, member_id)


def send_privately(
    session: Session,
    *,
    member: Member,
    reply: Reply,
    key: str,
    now: datetime,
    platform: str | None = None,
    tenant_key: str | None = None,
) -> str:
    """Queue ``reply`` as a direct message to ``member``; returns the platform it goes to.

    The member's identity on ``platform`` (and ``tenant_key``: the chat they asked from) comes
    first: a QQ C2C/direct message, a Feishu p2p message by open_id. A platform that cannot
    reach them directly falls back to their web inbox in its sender, never to a shared chat.
    Without such an identity, the best direct platform of :func:`chat.notify.to_member`.
    """
    identity = next(
        (
            i
            for i in member.identities
            if i.platform == platform and (tenant_key is None or i.tenant_key == tenant_key)
        ),
        None,
    )
    if identity is None:
        row = notify.to_member(session, member=member, reply=reply, key=key, now=now)
        return row.platform if row is not None else ""
    outbox_service.enqueue(
        session,
        key=f"{key}:m{member.id}",
        platform=identity.platform,
        address=identity.user_key,
        reply=reply,
        now=now,
        workspace_id=member.workspace_id,
    )
    return identity.platform


def link_reply(link: IssuedLink) -> Reply:
    """The private message that carries a link."""
    return Reply(
        title=t("signin.link_title"),
        body=t("signin.link_body", url=link.url, minutes=LINK_MINUTES),
    )


def send_link(
    session: Session,
    *,
    member: Member,
    now: datetime,
    public_url: str,
    platform: str | None = None,
    tenant_key: str | None = None,
) -> IssuedLink:
    """Issue a link for ``member`` and queue it privately to them (chat command in a group,
    REST). Returns the link, which the caller must not show to anyone but ``member``."""
    link = issue(session, member=member, now=now, public_url=public_url)
    send_privately(
        session,
        member=member,
        reply=link_reply(link),
        key=f"signin.link:{_hash(link.url)[:16]}",
        now=now,
        platform=platform,
        tenant_key=tenant_key,
    )
    return link
