"""Dashboard sign-in: local accounts with Argon2 hashes; demo mode signs in as the demo admin."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.team.models import LocalAccount, Member, Workspace

_hasher = PasswordHasher()


@dataclass
class Principal:
    """Who is calling: a dashboard login or an API token holder, acting in a workspace."""

    workspace: Workspace
    member: Member | None
    username: str


SESSION_KEY = "account_id"


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
    """Create or update a dashboard account."""
    account = session.scalar(select(LocalAccount).where(LocalAccount.username == username))
    if account is None:
        account = LocalAccount(username=username, password_hash="")
        session.add(account)
    account.password_hash = hash_password(password)
    if member is not None:
        account.member_id = member.id
    session.flush()


def _principal_for(session: Session, account: LocalAccount) -> Principal | None:
    member = session.get(Member, account.member_id) if account.member_id else None
    workspace = (
        session.get(Workspace, member.workspace_id)
        if member
        else session.scalar(select(Workspace).order_by(Workspace.id).limit(1))
    )
    if workspace is None:
        return None
    return Principal(workspace=workspace, member=member, username=account.username)


def session_principal(request: Request, session: Session) -> Principal | None:
    """The principal of the signed-in dashboard session, if any."""
    account_id = request.session.get(SESSION_KEY)
    if account_id is None:
        return None
    account = session.get(LocalAccount, account_id)
    return _principal_for(session, account) if account else None


def token_principal(session: Session) -> Principal | None:
    """The API token acts as the first admin account."""
    account = session.scalar(select(LocalAccount).order_by(LocalAccount.id).limit(1))
    return _principal_for(session, account) if account else None


def demo_account(session: Session) -> LocalAccount | None:
    """The account demo mode signs in as."""
    return session.scalar(select(LocalAccount).where(LocalAccount.username == "admin"))
