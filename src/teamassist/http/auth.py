"""Dashboard sign-in: local accounts with Argon2 hashes, member sessions (one-time links,
Feishu OAuth); demo mode signs in as the demo admin.

A sign-in is a ``web_session`` row; the signed cookie holds only its random id (and the form
token of ``http.csrf``). Logging out or changing the password revokes the row, so a copied cookie
stops working with the session it was copied from. Every session has an absolute lifetime
(``web.session_days`` from sign-in, not extended by use): a stolen cookie dies on a known day.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from fastapi import Request
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from teamassist.chat import placement
from teamassist.clock import utcnow
from teamassist.config import PasswordHashSettings
from teamassist.enums import Role
from teamassist.exceptions import DomainError
from teamassist.row_objects import first_row
from teamassist.team import service as team_service
from teamassist.team.models import (
    LocalAccount,
    Member,
    Team,
    TeamMembership,
    WebSession,
    Workspace,
)
from teamassist.team.names import fold

if TYPE_CHECKING:
    from argon2 import PasswordHasher


# The cost this process hashes new passwords at: the settings' once a runtime is built
# (``install_hash_cost``, from ``build_runtime``), the strong default before. Process-wide, as
# ``redact.install``'s secrets are: ``set_password`` is reached from the demo loader and the
# command line, which hold no settings. Checking needs no cost: a hash records its own.
_cost = PasswordHashSettings()


def install_hash_cost(cost: PasswordHashSettings) -> None:
    """Hash new passwords of this process at ``cost`` (``web.password_hash``)."""
    global _cost
    _cost = cost


def hash_cost() -> PasswordHashSettings:
    """The cost new password hashes are made at in this process."""
    return _cost


def _hasher() -> PasswordHasher:
    return _hasher_at(_cost.time_cost, _cost.memory_kib, _cost.parallelism)


@cache
def _hasher_at(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    """argon2's hasher at a cost, imported with the first password checked or set (not at
    start)."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


# A session started before expiries were stored (``expires_at`` NULL) ends this long after it began.
DEFAULT_SESSION_DAYS = 14.0


@dataclass
class Principal:
    """Who is calling: a dashboard login, a member session or an API token, in a workspace.

    ``member`` None is the workspace owner (a local account without a member, the configured
    global API token). Roles are asked for where needed (:func:`roles_of`), not
    loaded for every request: most requests never look at them.
    """

    workspace: Workspace
    member: Member | None
    username: str
    # whom the owner speaks as in chat when naming nobody, when it came with the lookup
    voice: Member | None = None
    # The team and role of the direct chat of ``member`` (else ``voice``) on the platform the
    # lookup was asked about (``placed_on``), read in the lookup's own statement so a chat
    # command needs no second one; None when not asked, or the workspace has no team.
    own_chat: tuple[Team, Role | None] | None = None
    # The configured name of a channel at that direct chat's address ('' when none), read in
    # the same statement (a report records it as its origin); None when not asked.
    own_chat_name: str | None = None
    # A personal API token (a script's credential), not a signed-in browser: its answers go
    # to whoever holds the token, so nothing that signs in as the member goes into them.
    by_token: bool = False

    @property
    def is_owner(self) -> bool:
        """The owner acts as an admin of every team of the workspace."""
        return self.member is None


class PrincipalLookup(Protocol):
    """Finds the caller inside a unit of work's own session (so a request needs one
    connection). ``placed_on`` (a platform value, e.g. ``"web"``): also read where the
    caller's own direct chat there lands (:attr:`Principal.own_chat`), in the same statement
    where the lookup can."""

    def __call__(self, session: Session, /, *, placed_on: str | None = None) -> Principal: ...


SESSION_KEY = "sid"
CSRF_KEY = "csrf"


# The demo workspace's admin password (``teamassist.demo``), accepted only in demo mode:
# ``teamassist admin password`` never sets one this short, so an account that has it was made
# by the demo loader, and outside demo mode it is a live default password (web.pages.login).
DEMO_PASSWORD = "admin"


def hash_password(password: str) -> str:
    """Hash a password for storage (argon2id, at :func:`hash_cost`). Raises
    :class:`DomainError` ``core.error.hash_failed`` when argon2 cannot (its memory could not be
    allocated: a ``web.password_hash.memory_kib`` this host does not have)."""
    from argon2.exceptions import HashingError

    try:
        return _hasher().hash(password)
    except HashingError as exc:
        raise DomainError("core.error.hash_failed", error=str(exc), cost=_cost.memory_kib) from exc


def verify(session: Session, username: str, password: str) -> LocalAccount | None:
    """Return the account when the password matches. The name is read folded (case and width,
    ``LocalAccount.username_key``), as :func:`set_password` calls ``Admin`` and ``ａｄｍｉｎ``
    one name with ``admin``; the same on every backend (testers s25 F-B10, F-21: ``BOSS``
    signed in on MariaDB only, ``ｂｏｓｓ`` nowhere, and the CLI called them the same name)."""
    # A NUL names no account (none can be stored with one) and PostgreSQL refuses to compare
    # it: its 422 「超出了可以保存的范围」 stood where SQLite and MariaDB said 「账号或密码不正确」
    # (tester s26 A-10); not asked, so every backend answers the same.
    account = (
        None if "\x00" in username else session.scalar(_ACCOUNT_BY_KEY, {"key": fold(username)})
    )
    if account is None:
        _hasher().hash(password)  # same cost whether or not the user exists
        return None
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        _hasher().verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return account


def set_password(session: Session, *, username: str, password: str, member: Member | None) -> bool:
    """Create or update a dashboard account; a new password ends every session of the account.
    Returns whether the account was created.

    The account is found by its folded name (``LocalAccount.username_key``: NFKC + casefold,
    unique on every backend), one indexed read. A name that differs from the account's only in
    case or width is refused (``setup.error.username_near``), nothing written: the second
    account would be another sign-in, a member-less one with every right, made by a typo
    (tester s24 F10; MariaDB's collation had matched ``Admin`` to ``admin`` instead). Two
    creates of one folded name at one instant both find none: the unique key keeps the first,
    and the other is answered as it would have been after it (refused, or its password set)."""
    key = fold(username)
    account = _same_name(session.scalar(_ACCOUNT_BY_KEY, {"key": key}), username)
    _same_member(session, account, member)
    hashed = hash_password(password)
    created = account is None
    if account is None:
        account = LocalAccount(username=username, password_hash=hashed)
        try:
            with session.begin_nested():
                session.add(account)
        except IntegrityError:
            # A locking read: MariaDB's repeatable read would not show the other's row to a
            # plain SELECT in this transaction.
            locked = _ACCOUNT_BY_KEY.with_for_update().execution_options(populate_existing=True)
            account = session.scalar(locked, {"key": key})
            if account is None:
                raise
            _same_name(account, username)
            _same_member(session, account, member)
            created = False
    if not created:
        revoke_all(session, account_id=account.id, now=utcnow())
    account.password_hash = hashed
    if member is not None:
        account.member_id = member.id
    session.flush()
    return created


def _same_member(session: Session, account: LocalAccount | None, member: Member | None) -> None:
    """Refuse (``setup.error.account_linked``) to move an existing account to another member:
    ``admin password third --member third`` in another workspace silently took that
    workspace's only admin account (tester s26 A-9). A new password for the account as it is
    (``member`` None or its own) is fine; a member-less owner account is not demoted either."""
    if account is None or member is None or account.member_id == member.id:
        return
    owner = session.get(Member, account.member_id) if account.member_id is not None else None
    if owner is None:  # the member-less account: the workspace owner's (tester s27 A-2)
        raise DomainError(
            "setup.error.account_owner", username=account.username, member=member.handle
        )
    raise DomainError(
        "setup.error.account_linked",
        username=account.username,
        owner=owner.handle,
        member=member.handle,
    )


def check_password_target(
    session: Session, *, username: str, member: Member | None, workspace_id: int | None
) -> None:
    """Refuse before a password is asked what :func:`set_password` would refuse after (a
    near name, an account of another member), and an account whose member is in another
    workspace than the one named (``setup.error.account_elsewhere``: ``--workspace`` was
    silently ignored, tester s27 A-2). Reads only."""
    account = _same_name(session.scalar(_ACCOUNT_BY_KEY, {"key": fold(username)}), username)
    _same_member(session, account, member)
    if account is None or account.member_id is None or workspace_id is None:
        return
    owner = session.get(Member, account.member_id)
    if owner is not None and owner.workspace_id != workspace_id:
        raise DomainError("setup.error.account_elsewhere", username=account.username)


def _same_name(account: LocalAccount | None, username: str) -> LocalAccount | None:
    """``account`` (the one ``username`` folds to), refused when its name is not ``username``
    exactly (``setup.error.username_near``)."""
    if account is not None and account.username != username:
        raise DomainError("setup.error.username_near", username=username, existing=account.username)
    return account


_ACCOUNT_BY_KEY = select(LocalAccount).where(LocalAccount.username_key == bindparam("key"))


def _id_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def start_session(
    request: Request,
    session: Session,
    account: LocalAccount | None,
    now: datetime,
    *,
    member: Member | None = None,
    days: float = DEFAULT_SESSION_DAYS,
) -> None:
    """Sign ``account`` (or, signed in by a link or Feishu, ``member``) in: a new session row
    that ends ``days`` after now, its id and a fresh form token in the cookie."""
    if (account is None) == (member is None):
        raise ValueError("a session belongs to an account or to a member")
    raw = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id_hash=_id_hash(raw),
            account_id=account.id if account else None,
            member_id=member.id if member else None,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    session.flush()
    request.session.clear()  # nothing of a previous (or planted) session carries over
    request.session[SESSION_KEY] = raw
    request.session[CSRF_KEY] = secrets.token_urlsafe(32)


def end_session(request: Request, session: Session, now: datetime) -> None:
    """Log out: revoke this session's row and clear the cookie."""
    row = _live_row(request, session, now)
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


def revoke_member(session: Session, *, member_id: int, now: datetime) -> None:
    """End every session a member started by link or Feishu (deactivation, merge)."""
    session.execute(
        update(WebSession)
        .where(WebSession.member_id == member_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def _live_row(request: Request, session: Session, now: datetime) -> WebSession | None:
    raw = request.session.get(SESSION_KEY)
    if not isinstance(raw, str) or not raw:
        return None
    row = session.get(WebSession, _id_hash(raw))
    if row is None or row.revoked_at is not None:
        return None
    ends = row.expires_at or row.created_at + timedelta(days=DEFAULT_SESSION_DAYS)
    return row if now < ends else None


def roles_of(session: Session, member: Member | None) -> dict[int, Role]:
    """The member's role in each of their teams (none for the workspace owner)."""
    if member is None:
        return {}
    rows = session.execute(
        select(TeamMembership.team_id, TeamMembership.role).where(
            TeamMembership.member_id == member.id
        )
    ).all()
    return {team_id: Role(role) for team_id, role in rows}


# The lookups below run as plain Core over the tables and make the session's objects from
# the row (:mod:`teamassist.row_objects`): loaded through the ORM, the global token's lookup
# was about half of a ``/帮助`` (session 23).
_WORKSPACE, _MEMBER_TABLE = placement.WORKSPACES.table, placement.MEMBERS.table
_ACCOUNT: Table = LocalAccount.__table__  # type: ignore[assignment]
# A member with their workspace: the columns ``principal_row`` reads, in its order.
MEMBER_AND_WORKSPACE = (
    select(*placement.WORKSPACES.columns, *placement.MEMBERS.columns)
    .select_from(_MEMBER_TABLE)
    .join(_WORKSPACE, _WORKSPACE.c.id == _MEMBER_TABLE.c.workspace_id)
)
_MEMBER = MEMBER_AND_WORKSPACE.where(_MEMBER_TABLE.c.id == bindparam("member_id"))
_MEMBER_PLACED = placement.with_own_chat(_MEMBER)


def member_principal(
    session: Session, member_id: int, username: str = "", *, placed_on: str | None = None
) -> Principal | None:
    """A member acting for themselves; None once they are deactivated or merged away.
    ``placed_on``: see :class:`PrincipalLookup` (no extra statement)."""
    query = _MEMBER if placed_on is None else _MEMBER_PLACED
    row = first_row(session, query, lookup_params(placed_on, member_id=member_id))
    return None if row is None else principal_row(session, row, username, placed_on=placed_on)


def principal_row(
    session: Session,
    row: Sequence[Any],
    username: str = "",
    *,
    placed_on: str | None = None,
    by_token: bool = False,
) -> Principal | None:
    """The principal of a member acting for themselves, from a row that starts with the
    columns of ``MEMBER_AND_WORKSPACE`` (and ends with those of ``placement.with_own_chat``
    when ``placed_on``); None when the member may not act (deactivated, merged away).
    ``by_token``: see :attr:`Principal.by_token`."""
    workspace, member = workspace_and_member(session, row)
    if member is None or not _may_act(member):
        return None
    own_chat, own_chat_name = (
        placement.placed(session, row) if placed_on is not None else (None, None)
    )
    return Principal(
        workspace=workspace,
        member=member,
        username=username or member.handle,
        own_chat=own_chat,
        own_chat_name=own_chat_name,
        by_token=by_token,
    )


def workspace_and_member(session: Session, row: Sequence[Any]) -> tuple[Workspace, Member | None]:
    """The workspace and the member (None: the outer join found none) at the start of a row
    of ``MEMBER_AND_WORKSPACE``'s columns, as objects of ``session``."""
    width = placement.WORKSPACES.width
    workspace = placement.WORKSPACES.of(session, row[:width])
    assert workspace is not None  # an inner join: a row has its workspace
    member = placement.MEMBERS.of(session, row[width : width + placement.MEMBERS.width])
    return workspace, member


def lookup_params(placed_on: str | None, **given: Any) -> dict[str, Any]:
    """A lookup's statement parameters, with those of :func:`placement.with_own_chat`."""
    return given if placed_on is None else {**given, **placement.own_chat_params(placed_on)}


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
    if member is not None and not _may_act(member):
        return None  # deactivated or merged away: the account and the token stop with them
    return Principal(workspace=workspace, member=member, username=account.username)


def stopped(session: Session, account: LocalAccount) -> bool:
    """Whether ``account`` belongs to a member who may no longer act (deactivated, merged away):
    its password is right, yet no session would outlive the next request. Asked only after
    :func:`verify`, so a wrong password never learns that the account exists."""
    if account.member_id is None:
        return False
    member = session.get(Member, account.member_id)
    return member is not None and not _may_act(member)


def _may_act(member: Member) -> bool:
    # Someone set to leave on a later date may act until then; the sweep team.departures
    # turns ``active`` off when the date comes.
    return member.active and not member.merged_into_id


def session_principal(
    request: Request,
    session: Session,
    now: datetime | None = None,
    *,
    placed_on: str | None = None,
) -> Principal | None:
    """The principal of the signed-in, unexpired dashboard session, if any. ``placed_on``:
    see :class:`PrincipalLookup` (answered for a member's session)."""
    row = _live_row(request, session, now or utcnow())
    if row is None:
        return None
    if row.member_id is not None:
        return member_principal(session, row.member_id, placed_on=placed_on)
    return _principal(session, row.account_id)


# Built once: the global token is checked on every API call it makes (chat at load), and
# building the statement cost more than running it (issue #9 profile).
_TOKEN_OWNER = (
    select(*placement.WORKSPACES.columns, *placement.MEMBERS.columns)
    .select_from(_ACCOUNT)
    .outerjoin(_MEMBER_TABLE, _MEMBER_TABLE.c.id == _ACCOUNT.c.member_id)
    .join(
        _WORKSPACE,
        _WORKSPACE.c.id
        == func.coalesce(
            _MEMBER_TABLE.c.workspace_id, select(func.min(_WORKSPACE.c.id)).scalar_subquery()
        ),
    )
    .order_by(_ACCOUNT.c.id)
    .limit(1)
)
_TOKEN_OWNER_PLACED = placement.with_own_chat(_TOKEN_OWNER)


def token_principal(session: Session, *, placed_on: str | None = None) -> Principal | None:
    """The configured global API token: the install's root credential, always the owner of
    the workspace of the first local account (or of the first workspace when there is none),
    whatever becomes of that account's member (demoted, deactivated). ``placed_on``: see
    :class:`PrincipalLookup` (for the voice, in the same statement)."""
    query = _TOKEN_OWNER if placed_on is None else _TOKEN_OWNER_PLACED
    row = first_row(session, query, lookup_params(placed_on))
    if row is None:
        workspace = session.scalar(select(Workspace).order_by(Workspace.id).limit(1))
        return Principal(workspace=workspace, member=None, username="api") if workspace else None
    workspace, member = workspace_and_member(session, row)
    # the same row gives whom chat speaks as (see owner_voice): one statement, not two
    voice = member if member is not None and _may_act(member) else None
    own_chat, own_chat_name = (
        placement.placed(session, row) if placed_on and voice else (None, None)
    )
    return Principal(
        workspace=workspace,
        member=None,
        username="api",
        voice=voice,
        own_chat=own_chat,
        own_chat_name=own_chat_name,
    )


# The global token speaking as a member it names (``"as"`` in ``POST /api/v1/chat``): the
# token's workspace (as :data:`_TOKEN_OWNER` finds it) and that member with where their own
# direct chat lands, in one statement; asked apart, the owner's lookup and the member's were
# two statements of every such command (issue 9: the benchmark's /值班签到).
_FIRST_ACCOUNT_MEMBER = _MEMBER_TABLE.alias("first_account_member")
_ANY_WORKSPACE = _WORKSPACE.alias("any_workspace")
_TOKEN_WORKSPACE_ID = func.coalesce(
    select(_FIRST_ACCOUNT_MEMBER.c.workspace_id)
    .select_from(_ACCOUNT)
    .outerjoin(_FIRST_ACCOUNT_MEMBER, _FIRST_ACCOUNT_MEMBER.c.id == _ACCOUNT.c.member_id)
    .order_by(_ACCOUNT.c.id)
    .limit(1)
    .scalar_subquery(),
    select(func.min(_ANY_WORKSPACE.c.id)).scalar_subquery(),
)
_TOKEN_NAMED_PLACED = placement.with_own_chat(
    MEMBER_AND_WORKSPACE.where(
        _MEMBER_TABLE.c.workspace_id == _TOKEN_WORKSPACE_ID,
        _MEMBER_TABLE.c.handle_key == bindparam("handle_key"),
    )
)


@dataclass
class Spoken:
    """The global token's principal and the member it speaks as, found together."""

    caller: Principal
    member: Member
    # where the member's own direct chat lands and the name of a channel there ('' when none)
    own_chat: tuple[Team, Role | None] | None
    own_chat_name: str


def token_speaking_as(session: Session, handle: str, *, placed_on: str) -> Spoken | None:
    """The global token's principal (:func:`token_principal`, without its voice: it speaks as
    someone else) and the member of its workspace with ``handle`` (folded as
    ``team.service.get_member_by_handle`` folds it), placed on ``placed_on`` as
    :func:`placement.with_own_chat` places them, in one statement. None when no member of
    the workspace has the handle (or there is no workspace): the caller then asks the usual
    way, which tells those cases apart."""
    row = first_row(
        session,
        _TOKEN_NAMED_PLACED,
        lookup_params(placed_on, handle_key=fold(handle.strip())),
    )
    if row is None:
        return None
    workspace, member = workspace_and_member(session, row)
    assert member is not None  # an inner join: a row has its member
    own_chat, own_chat_name = placement.placed(session, row)
    return Spoken(
        caller=Principal(workspace=workspace, member=None, username="api"),
        member=member,
        own_chat=own_chat,
        own_chat_name=own_chat_name,
    )


@dataclass(frozen=True)
class RootToken:
    """The global API token as a :class:`PrincipalLookup` (:func:`token_principal`;
    ``refused()`` is raised when it finds no workspace), which can also find the member it
    speaks as in its own statement (:meth:`speaking_as`)."""

    refused: Callable[[], Exception]

    def __call__(self, session: Session, /, *, placed_on: str | None = None) -> Principal:
        found = token_principal(session, placed_on=placed_on)
        if found is None:
            raise self.refused()
        return found

    @staticmethod
    def speaking_as(session: Session, handle: str, *, placed_on: str) -> Spoken | None:
        """See :func:`token_speaking_as`."""
        return token_speaking_as(session, handle, placed_on=placed_on)


def owner_voice(session: Session, workspace: Workspace) -> Member | None:
    """Whom the owner speaks as in chat when naming nobody: the first local account's member
    (the person who set the install up), while they may act."""
    member = session.scalar(
        select(Member)
        .join(LocalAccount, LocalAccount.member_id == Member.id)
        .where(Member.workspace_id == workspace.id)
        .order_by(LocalAccount.id)
        .limit(1)
    )
    return member if member is not None and _may_act(member) else None


def demo_account(session: Session) -> LocalAccount | None:
    """The account demo mode signs in as."""
    return session.scalar(select(LocalAccount).where(LocalAccount.username == "admin"))


def is_admin(session: Session, principal: Principal, team: Team) -> bool:
    """Whether the caller may administer ``team``: the one admin check, asked by pages that
    show or hide admin controls and by :func:`require_admin`."""
    if principal.member is None:
        return True  # the workspace owner: a member-less account or the global API token
    return team_service.role_of(session, team=team, member=principal.member) is Role.ADMIN
