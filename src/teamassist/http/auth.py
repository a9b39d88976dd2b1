"""Dashboard sign-in: local accounts with Argon2 hashes; demo mode signs in as the demo admin.

A sign-in is a ``web_session`` row; the signed cookie holds only its random id (and the form
token of ``http.csrf``). Logging out or changing the password revokes the row, so a copied cookie
stops working with the session it was copied from.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from teamassist.clock import utcnow
from teamassist.team.models import LocalAccount, Member, WebSession, Workspace

_hasher = PasswordHasher()


@dataclass
class Principal:
    """Who is calling: a dashboard login or an API token holder, acting in a workspace."""

    workspace: Workspace
    member: Member | None
    username: str


# Finds the caller inside a unit of work's own session (so a request needs one connection).
PrincipalLookup = Callable[[Session], Principal]

SESSION_KEY = "sid"
CSRF_KEY = "csrf"


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher.hash(password)


def verify(session: Session, username: str, password: str) -> LocalAccount | None:
    """Return the account when the password matches."""
    account = session.scalar(select(LocalAccount).where(LocalAccount.username == username))
    if account is None:
        _hasher.hash(password)  # same cost whether or not the user exists
        return None
    try:
        _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return account


def set_password(session: Session, *, username: str, password: str, member: Member | None) -> None:
    """Create or update a dashboard account; a new password ends every session of the account."""
    account = session.scalar(select(LocalAccount).where(LocalAccount.username == username))
    if account is None:
        account = LocalAccount(username=username, password_hash="")
        session.add(account)
    else:
        revoke_all(session, account_id=account.id, now=utcnow())
    account.password_hash = hash_password(password)
    if member is not None:
        account.member_id = member.id
    session.flush()


def _id_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def start_session(request: Request, session: Session, account: LocalAccount, now: datetime) -> None:
    """Sign ``account`` in: a new session row, its id and a fresh form token in the cookie."""
    raw = secrets.token_urlsafe(32)
    session.add(WebSession(id_hash=_id_hash(raw), account_id=account.id, created_at=now))
    session.flush()
    request.session.clear()  # nothing of a previous (or planted) session carries over
    request.session[SESSION_KEY] = raw
    request.session[CSRF_KEY] = secrets.token_urlsafe(32)


def end_session(request: Request, session: Session, now: datetime) -> None:
    """Log out: revoke this session's row and clear the cookie."""
    row = _live_row(request, session)
    if row is not None:
        row.revoked_at = now
        session.flush()
    request.session.clear()


def revoke_all(session: Session, *, account_id: int, now: datetime) -> None:
    """End every session of an account (password change)."""
    session.execute(
        update(WebSession)
        .where(WebSession.account_id == account_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def _live_row(request: Request, session: Session) -> WebSession | None:
    raw = request.session.get(SESSION_KEY)
    if not isinstance(raw, str) or not raw:
        return None
    row = session.get(WebSession, _id_hash(raw))
    return row if row is not None and row.revoked_at is None else None


def _principal(session: Session, account_id: int | None) -> Principal | None:
    """The account (``None``: the first one), its member and workspace in one query.

    An account without a member acts in the first workspace.
    """
    first_workspace = select(func.min(Workspace.id)).scalar_subquery()
    query = (
        select(LocalAccount, Member, Workspace)
        .outerjoin(Member, Member.id == LocalAccount.member_id)
        .join(Workspace, Workspace.id == func.coalesce(Member.workspace_id, first_workspace))
    )
    if account_id is None:
        query = query.order_by(LocalAccount.id)
    else:
        query = query.where(LocalAccount.id == account_id)
    row = session.execute(query.limit(1)).first()
    if row is None:
        return None
    account, member, workspace = row
    return Principal(workspace=workspace, member=member, username=account.username)


def session_principal(request: Request, session: Session) -> Principal | None:
    """The principal of the signed-in dashboard session, if any."""
    row = _live_row(request, session)
    if row is None:
        return None
    return _principal(session, row.account_id)


def token_principal(session: Session) -> Principal | None:
    """The API token acts as the first admin account."""
    return _principal(session, None)


def demo_account(session: Session) -> LocalAccount | None:
    """The account demo mode signs in as."""
    return session.scalar(select(LocalAccount).where(LocalAccount.username == "admin"))
