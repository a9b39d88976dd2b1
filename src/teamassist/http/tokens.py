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

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from teamassist.chat import placement
from teamassist.exceptions import DomainError, NotFound
from teamassist.http import auth
from teamassist.http.auth import Principal
from teamassist.row_objects import first_row
from teamassist.team.models import Member
from teamassist.team.token_models import PersonalToken

PREFIX = "tap_"
NAME_MAX = 100


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def is_personal(raw: str) -> bool:
    """Whether ``raw`` looks like a personal token (else it may be the global one)."""
    return raw.startswith(PREFIX)


def is_personal_header(header: str) -> bool:
    """Whether an ``Authorization`` header sends a personal token (``Bearer tap_…``)."""
    return header.lower().startswith("bearer ") and is_personal(header[7:].strip())


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


# The member of a live token with their workspace (and, placed, their own chat's team), and
# the token's prefix last, in one statement: the token, then the member, were two (issue 9).
_TOKEN: Table = PersonalToken.__table__  # type: ignore[assignment]
_MEMBER_TABLE = placement.MEMBERS.table
_OF_TOKEN = (
    auth.MEMBER_AND_WORKSPACE.add_columns(_TOKEN.c.prefix)
    .join(_TOKEN, _TOKEN.c.member_id == _MEMBER_TABLE.c.id)
    .where(_TOKEN.c.token_hash == bindparam("token_hash"), _TOKEN.c.revoked_at.is_(None))
)
_OF_TOKEN_PLACED = placement.with_own_chat(_OF_TOKEN)


def principal_of(session: Session, *, raw: str, placed_on: str | None = None) -> Principal | None:
    """The member a live personal token acts as, or None (no such live token, or its member
    may not act: deactivated, merged away). ``placed_on``: see
    :class:`teamassist.http.auth.PrincipalLookup` (in the same statement)."""
    query = _OF_TOKEN if placed_on is None else _OF_TOKEN_PLACED
    row = first_row(session, query, auth.lookup_params(placed_on, token_hash=_hash(raw)))
    if row is None:
        return None
    prefix = row[placement.WORKSPACES.width + placement.MEMBERS.width]
    return auth.principal_row(session, row, f"token:{prefix}", placed_on=placed_on, by_token=True)
