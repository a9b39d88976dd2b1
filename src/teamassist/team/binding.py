"""Platform bindings: which workspace a QQ guild or group, a Feishu tenant belongs to.

An admin of a workspace creates a one-time binding code (CLI, REST, dashboard); an admin of the
platform runs ``/绑定 <code>`` where the bot is, and the tenant is bound. Operators may bind
directly (CLI). A tenant belongs to at most one workspace: binding it elsewhere is refused until
an admin unbinds it. Only a hash of a code is stored; a code is short-lived and spent once.
A chat of an unbound tenant gets a hint about ``/绑定`` at most once a day, and nothing else.

Services here never commit: the boundary (dispatcher, request, CLI) owns the transaction.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from teamassist.enums import Platform
from teamassist.exceptions import Conflict, DomainError, NotFound, PermissionDenied
from teamassist.team.binding_models import UnboundChatNotice
from teamassist.team.models import BindingCode, Member, PlatformTenant, Workspace
from teamassist.team.names import platform_name

CODE_TTL = timedelta(minutes=30)
HINT_EVERY = timedelta(days=1)
# Platforms whose tenants are bound (web and console speak for a signed-in workspace; WeCom
# robots only send, they are channels of purpose "webhook").
BINDABLE = (Platform.QQ.value, Platform.FEISHU.value)
# No 0/O, 1/I/L: a code is read off one screen and typed into another.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8

# What a tenant is on its platform (platform_tenant.kind).
KIND_QQ_GUILD, KIND_QQ_GROUP, KIND_QQ_C2C, KIND_FEISHU_TENANT = "guild", "group", "c2c", "tenant"
KINDS = (KIND_QQ_GUILD, KIND_QQ_GROUP, KIND_QQ_C2C, KIND_FEISHU_TENANT)


@dataclass(frozen=True)
class NewCode:
    """A binding code as shown once to the admin who made it."""

    code: str
    workspace_key: str
    platform: str | None
    expires_at: datetime


def _hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def normalise(code: str) -> str:
    """A code as typed: case, spaces, dashes and full width (a Chinese input method in
    full-width mode types ＡＢ１２) do not matter."""
    folded = unicodedata.normalize("NFKC", code).upper()
    return "".join(c for c in folded if c.isascii() and c.isalnum())


def create_code(
    session: Session,
    *,
    workspace: Workspace,
    now: datetime,
    platform: str | None = None,
    created_by: Member | None = None,
) -> NewCode:
    """A new one-time code for ``workspace`` (only its hash is kept)."""
    if platform is not None and platform not in BINDABLE:
        raise DomainError("binding.error.platform", platform=platform)
    code = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    expires = now + CODE_TTL
    session.add(
        BindingCode(
            workspace_id=workspace.id,
            code_hash=_hash(code),
            platform=platform,
            created_by_id=created_by.id if created_by else None,
            created_at=now,
            expires_at=expires,
        )
    )
    session.flush()
    return NewCode(code=code, workspace_key=workspace.key, platform=platform, expires_at=expires)


def tenant_binding(session: Session, *, platform: str, tenant_key: str) -> PlatformTenant | None:
    """The binding of a platform tenant, if any."""
    return session.scalar(
        select(PlatformTenant).where(
            PlatformTenant.platform == platform, PlatformTenant.tenant_key == tenant_key
        )
    )


def redeem(
    session: Session,
    *,
    code: str,
    platform: str,
    tenant_key: str,
    kind: str,
    by_platform_admin: bool,
    now: datetime,
    name: str = "",
) -> tuple[PlatformTenant, bool]:
    """Bind the tenant with a code (``/绑定``); returns the binding and whether it is new.

    Refused, changing nothing: a sender who is not an admin on the platform; a code that is
    unknown, expired, spent or meant for another platform; a tenant bound to another workspace.
    A tenant already bound to the code's workspace keeps its binding and the code stays unspent.
    """
    if platform not in BINDABLE:
        raise DomainError("binding.error.platform", platform=platform)
    if not by_platform_admin:
        raise PermissionDenied("binding.error.not_platform_admin")
    if not normalise(code):
        raise DomainError("binding.error.no_code")
    row = session.scalar(select(BindingCode).where(BindingCode.code_hash == _hash(code)))
    if row is None:
        raise DomainError("binding.error.unknown_code")
    if row.used_at is not None:
        raise DomainError("binding.error.used_code")
    if row.expires_at <= now:
        raise DomainError("binding.error.expired_code")
    if row.platform is not None and row.platform != platform:
        raise DomainError("binding.error.code_platform", platform=row.platform)
    workspace = session.get(Workspace, row.workspace_id)
    if workspace is None:  # deleted meanwhile (cascade removes its codes; a race at most)
        raise DomainError("binding.error.unknown_code")
    existing = tenant_binding(session, platform=platform, tenant_key=tenant_key)
    if existing is not None:
        if existing.workspace_id == workspace.id:
            return existing, False
        raise Conflict("binding.error.bound_elsewhere")
    # Spend the code first and only if nobody else just did: single use under concurrency.
    spent = session.execute(
        update(BindingCode)
        .where(BindingCode.id == row.id, BindingCode.used_at.is_(None))
        .values(used_at=now, used_tenant_key=tenant_key[:128])
    ).rowcount  # type: ignore[attr-defined]
    if spent != 1:
        raise DomainError("binding.error.used_code")
    return _add(session, workspace, platform, tenant_key, kind, name, now, by=None), True


def bind(
    session: Session,
    *,
    workspace: Workspace,
    platform: str,
    tenant_key: str,
    kind: str,
    now: datetime,
    name: str = "",
    by: Member | None = None,
) -> tuple[PlatformTenant, bool]:
    """Bind a tenant directly (operators: CLI); idempotent for the same workspace."""
    if platform not in BINDABLE:
        raise DomainError("binding.error.platform", platform=platform)
    if not tenant_key.strip():
        raise DomainError("binding.error.no_tenant")
    existing = tenant_binding(session, platform=platform, tenant_key=tenant_key)
    if existing is not None:
        if existing.workspace_id == workspace.id:
            return existing, False
        raise Conflict("binding.error.bound_elsewhere")
    return _add(session, workspace, platform, tenant_key, kind, name, now, by=by), True


def _add(
    session: Session,
    workspace: Workspace,
    platform: str,
    tenant_key: str,
    kind: str,
    name: str,
    now: datetime,
    *,
    by: Member | None,
) -> PlatformTenant:
    binding = PlatformTenant(
        workspace_id=workspace.id,
        platform=platform,
        tenant_key=tenant_key,
        kind=kind,
        name=platform_name(name, fallback="", limit=200),  # invisible characters dropped
        bound_at=now,
        bound_by_id=by.id if by else None,
    )
    session.add(binding)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # another binder won the race
        raise Conflict("binding.error.bound_elsewhere") from exc
    # A chat that was told it is unbound may be told again if it is ever unbound again.
    session.execute(
        delete(UnboundChatNotice).where(
            UnboundChatNotice.platform == platform, UnboundChatNotice.tenant_key == tenant_key
        )
    )
    return binding


def bindings(session: Session, *, workspace_id: int) -> list[PlatformTenant]:
    """The workspace's bound tenants, oldest first."""
    return list(
        session.scalars(
            select(PlatformTenant)
            .where(PlatformTenant.workspace_id == workspace_id)
            .order_by(PlatformTenant.id)
        )
    )


def get_binding(session: Session, *, workspace_id: int, binding_id: int) -> PlatformTenant:
    """One binding of the workspace, or NotFound (another workspace's is not found either)."""
    binding = session.get(PlatformTenant, binding_id)
    if binding is None or binding.workspace_id != workspace_id:
        raise NotFound("binding.error.no_binding", what=f"#{binding_id}")
    return binding


def unbind(session: Session, *, binding: PlatformTenant) -> None:
    """Unbind a tenant: its chats go quiet until it is bound again (members and data stay)."""
    session.delete(binding)
    session.flush()


def should_hint(
    session: Session, *, platform: str, tenant_key: str, chat_key: str, now: datetime
) -> bool:
    """Whether an unbound chat is due the ``/绑定`` hint (and note that it got it now)."""
    row = session.scalar(
        select(UnboundChatNotice).where(
            UnboundChatNotice.platform == platform, UnboundChatNotice.chat_key == chat_key[:200]
        )
    )
    if row is not None:
        if now - row.told_at < HINT_EVERY:
            return False
        row.told_at = now
        session.flush()
        return True
    try:
        with session.begin_nested():
            notice = UnboundChatNotice(
                platform=platform, tenant_key=tenant_key[:128], chat_key=chat_key[:200], told_at=now
            )
            session.add(notice)
            session.flush()
    except IntegrityError:  # told by a concurrent message this instant
        return False
    return True
