"""Personal API tokens: created and revoked by their member (dashboard and REST), stored hashed.

A token is ``tap_`` and 32 random bytes; it acts as its member (``auth.member_principal``), so
it sees the member's workspace and has the member's role, and stops working when it is revoked
or the member is deactivated. The configured global token (``web.api_token``) is separate and
always acts as the owner of the first workspace (see ``auth.token_principal``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.exceptions import DomainError, NotFound
from teamassist.http.auth import Principal, member_principal
from teamassist.team.models import Member
from teamassist.team.token_models import PersonalToken

PREFIX = "tap_"
NAME_MAX = 100


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def is_personal(raw: str) -> bool:
    """Whether ``raw`` looks like a personal token (else it may be the global one)."""
    return raw.startswith(PREFIX)


def _member(principal: Principal) -> Member:
    if principal.member is None:
        raise DomainError("signin.error.no_member")
    return principal.member


def create(
    session: Session, *, principal: Principal, name: str, now: datetime
) -> tuple[PersonalToken, str]:
    """A new token for the caller; returns the row and the raw token (shown once)."""
    member = _member(principal)
    name = name.strip()[:NAME_MAX]
    if not name:
        raise DomainError("signin.error.token_name_empty")
    raw = PREFIX + secrets.token_urlsafe(32)
    row = PersonalToken(
        member_id=member.id,
        token_hash=_hash(raw),
        name=name,
        prefix=raw[:10],
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row, raw


def listed(session: Session, *, principal: Principal) -> list[PersonalToken]:
    """The caller's live tokens, newest first (none for the owner, who has no member)."""
    if principal.member is None:
        return []
    return list(
        session.scalars(
            select(PersonalToken)
            .where(
                PersonalToken.member_id == principal.member.id,
                PersonalToken.revoked_at.is_(None),
            )
            .order_by(PersonalToken.id.desc())
        )
    )


def revoke(session: Session, *, principal: Principal, token_id: int, now: datetime) -> None:
    """Revoke one of the caller's tokens; another member's token is not found."""
    member = _member(principal)
    row = session.get(PersonalToken, token_id)
    if row is None or row.member_id != member.id or row.revoked_at is not None:
        raise NotFound("signin.error.unknown_token")
    row.revoked_at = now
    session.flush()


def principal_of(session: Session, *, raw: str, placed_on: str | None = None) -> Principal | None:
    """The member a live personal token acts as, or None. ``placed_on``: see
    :class:`teamassist.http.auth.PrincipalLookup`."""
    row = session.scalar(
        select(PersonalToken).where(
            PersonalToken.token_hash == _hash(raw), PersonalToken.revoked_at.is_(None)
        )
    )
    if row is None:
        return None
    return member_principal(
        session, row.member_id, username=f"token:{row.prefix}", placed_on=placed_on
    )
