"""The platforms' directories put to use: who an unknown mention is, platform roles as ours,
and keeping names, profiles and roles fresh.

The adapters implement the ``Directory`` port per platform; :class:`PlatformDirectories` is the
one implementation the runtime provides, handing each call to the platform's own. Platform roles
become ours through a team setting (``team.settings["directory"]["roles"]``), by default: QQ
创建者/管理员 (guild) and group owner/admin, Feishu chat owner/managers → admin. A mapped role
only ever raises someone's role here; lowering one is an admin's decision.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from teamassist.enums import Role
from teamassist.exceptions import Conflict, DomainError
from teamassist.ports import DirectoryChat, DirectoryUser
from teamassist.team import service as team_service
from teamassist.team.models import (
    Channel,
    Member,
    PlatformIdentity,
    PlatformTenant,
    Team,
    TeamMembership,
    Workspace,
)
from teamassist.team.names import platform_name

log = logging.getLogger(__name__)

# Platform role codes (see ports.DirectoryUser) that count as our roles unless a team says else.
DEFAULT_ROLE_MAP: dict[str, tuple[str, ...]] = {
    Role.ADMIN.value: (
        "qq:owner",
        "qq:admin",
        "qq:group_owner",
        "qq:group_admin",
        "feishu:chat_owner",
        "feishu:chat_manager",
        "feishu:tenant_admin",
    ),
    Role.LEAD.value: (),
}
_RANK = {Role.MEMBER: 0, Role.LEAD: 1, Role.ADMIN: 2}
# Platforms whose message events name neither the sender's roles nor their profile: a newcomer
# is looked up in the directory when enrolled. QQ events carry the nick and the roles, and
# ``qq.admin_role_ids`` decides per message; the team's mapping follows at the next refresh.
ENROL_LOOKUP = frozenset({"feishu"})
REFRESH_AFTER = timedelta(hours=20)
REFRESH_BATCH = 200


class PlatformLookup(Protocol):
    """One platform's directory (an adapter's): the port's calls without the platform name."""

    def user(self, *, tenant_key: str, user_key: str, chat_key: str = "") -> DirectoryUser | None:
        """One person of the tenant."""
        ...

    def chats(self, *, tenant_key: str) -> Sequence[DirectoryChat]:
        """The tenant's chats the bot is in."""
        ...

    def members(self, *, tenant_key: str, chat_key: str) -> Sequence[DirectoryUser]:
        """The people of one chat."""
        ...


class PlatformDirectories:
    """The ``Directory`` port: each call goes to its platform's lookup; a platform without one,
    or one that fails, answers None / empty (logged), never an error for the caller."""

    def __init__(self, lookups: Mapping[str, PlatformLookup]) -> None:
        self.lookups = dict(lookups)

    def user(
        self, *, platform: str, tenant_key: str, user_key: str, chat_key: str = ""
    ) -> DirectoryUser | None:
        lookup = self.lookups.get(platform)
        if lookup is None:
            return None
        try:
            return lookup.user(tenant_key=tenant_key, user_key=user_key, chat_key=chat_key)
        except Exception as exc:  # the platform is down or refuses: we know nothing more
            log.warning("directory %s: user %s of %s: %s", platform, user_key, tenant_key, exc)
            return None

    def chats(self, *, platform: str, tenant_key: str) -> Sequence[DirectoryChat]:
        lookup = self.lookups.get(platform)
        if lookup is None:
            return []
        try:
            return lookup.chats(tenant_key=tenant_key)
        except Exception as exc:
            log.warning("directory %s: chats of %s: %s", platform, tenant_key, exc)
            return []

    def members(self, *, platform: str, tenant_key: str, chat_key: str) -> Sequence[DirectoryUser]:
        lookup = self.lookups.get(platform)
        if lookup is None:
            return []
        try:
            return lookup.members(tenant_key=tenant_key, chat_key=chat_key)
        except Exception as exc:
            log.warning("directory %s: members of %s: %s", platform, chat_key, exc)
            return []


class DirectoryPort(Protocol):
    """What this module needs of the ``Directory`` port (it is one)."""

    def user(
        self, *, platform: str, tenant_key: str, user_key: str, chat_key: str = ""
    ) -> DirectoryUser | None: ...

    def chats(self, *, platform: str, tenant_key: str) -> Sequence[DirectoryChat]: ...


def role_map(team: Team) -> dict[str, tuple[str, ...]]:
    """The team's platform-role mapping (``settings["directory"]["roles"]``) or the default."""
    configured: Any = (team.settings or {}).get("directory", {}).get("roles")
    if not isinstance(configured, dict):
        return dict(DEFAULT_ROLE_MAP)
    return {
        role: tuple(str(code) for code in configured.get(role, ()))
        for role in (Role.ADMIN.value, Role.LEAD.value)
    }


def mapped_role(team: Team, roles: Sequence[str]) -> Role | None:
    """The highest of our roles the platform roles grant in ``team`` (None: none)."""
    mapping = role_map(team)
    held = set(roles)
    for role in (Role.ADMIN, Role.LEAD):
        if held & set(mapping.get(role.value, ())):
            return role
    return None


def raise_role(session: Session, *, team: Team, member: Member, roles: Sequence[str]) -> None:
    """Give ``member`` the role the platform roles map to, if it is higher than theirs."""
    target = mapped_role(team, roles)
    if target is None:
        return
    current = team_service.role_of(session, team=team, member=member)
    if current is None or _RANK[target] > _RANK[current]:
        team_service.set_role(session, team=team, member=member, role=target)


# Whose owner and managers count as the team's admins on Feishu: the team group first.
_ROLE_CHAT_PURPOSES = ("team", "core", "internal", "public")


def role_chat(session: Session, *, team: Team, binding: PlatformTenant) -> str:
    """The chat whose roles count in a refresh: a QQ group is its own chat; on Feishu the
    team's group (else its core, duty or public chat); a QQ guild's roles are guild-wide."""
    if binding.kind == "group":
        return f"group:{binding.tenant_key}"
    if binding.platform != "feishu":
        return ""
    chats = {
        c.purpose: c.address
        for c in reversed(
            team_service.channels(session, workspace_id=team.workspace_id, team_id=team.id)
        )
        if c.platform == binding.platform
    }
    return next((chats[p] for p in _ROLE_CHAT_PURPOSES if p in chats), "")


def apply_profile(identity: PlatformIdentity, user: DirectoryUser, now: datetime) -> None:
    """Store what the directory said; a member renamed here keeps the local name."""
    member = identity.member
    # Cleaned like a typed name (no zero-width or bidi characters); empty when none is left.
    name = platform_name(user.name, fallback="")
    if name and member.display_name in ("", identity.display_name, identity.user_key):
        member.display_name = name
    if name:
        identity.display_name = name
    identity.profile = {
        "name": name,
        "roles": list(user.roles),
        "departments": list(user.departments),
    }
    identity.synced_at = now


def enroll_known(
    session: Session,
    directory: DirectoryPort,
    *,
    workspace: Workspace,
    team: Team,
    platform: str,
    tenant_key: str,
    user_key: str,
    chat_key: str = "",
    now: datetime,
) -> Member | None:
    """Enrol someone the platform knows but we do not yet (a mention of a newcomer), under
    their real name; None when the directory does not know them either."""
    user = directory.user(
        platform=platform, tenant_key=tenant_key, user_key=user_key, chat_key=chat_key
    )
    if user is None or user.is_bot or not user.name:
        return None
    member = team_service.enroll(
        session,
        workspace=workspace,
        team=team,
        platform=platform,
        tenant_key=tenant_key,
        user_key=user_key,
        display_name=user.name,
    )
    identity = session.scalars(
        select(PlatformIdentity).where(PlatformIdentity.member_id == member.id)
    ).one()
    apply_profile(identity, user, now)
    raise_role(session, team=team, member=member, roles=user.roles)
    session.flush()
    return member


def ask_on_enrol(platform: str) -> bool:
    """Whether a newcomer from ``platform`` is looked up in the directory when enrolled."""
    return platform in ENROL_LOOKUP


def sync_member(
    session: Session,
    directory: DirectoryPort,
    *,
    member: Member,
    team: Team,
    platform: str,
    tenant_key: str,
    user_key: str,
    chat_key: str,
    now: datetime,
) -> None:
    """Fill a newly enrolled member's profile and platform roles from the directory."""
    user = directory.user(
        platform=platform, tenant_key=tenant_key, user_key=user_key, chat_key=chat_key
    )
    if user is None:
        return
    identity = session.scalar(
        select(PlatformIdentity).where(
            PlatformIdentity.member_id == member.id,
            PlatformIdentity.platform == platform,
            PlatformIdentity.tenant_key == tenant_key,
            PlatformIdentity.user_key == user_key,
        )
    )
    if identity is not None:
        apply_profile(identity, user, now)
    raise_role(session, team=team, member=member, roles=user.roles)
    session.flush()


def platform_admin(
    directory: DirectoryPort | None,
    *,
    team: Team | None,
    platform: str,
    tenant_key: str,
    user_key: str,
    chat_key: str,
    said_by_event: bool,
) -> bool:
    """Whether the sender is an admin on the platform: the event says so (QQ roles), or the
    directory's roles for them in this chat map to admin (Feishu chat owner / managers)."""
    if said_by_event:
        return True
    if directory is None:
        return False
    user = directory.user(
        platform=platform, tenant_key=tenant_key, user_key=user_key, chat_key=chat_key
    )
    if user is None:
        return False
    admin_roles = (
        set(role_map(team)[Role.ADMIN.value])
        if team is not None
        else set(DEFAULT_ROLE_MAP[Role.ADMIN.value])
    )
    return bool(admin_roles & set(user.roles))


def teams_to_refresh(session: Session, *, teams: Sequence[Team], now: datetime) -> set[int]:
    """The ids of ``teams`` :func:`refresh` may update at ``now``, in two queries: those in a
    workspace with a bound tenant that have a person of that tenant's platform not synced
    within ``REFRESH_AFTER``."""
    workspaces = {team.workspace_id for team in teams}
    platforms = {
        (workspace_id, platform)
        for workspace_id, platform in session.execute(
            select(PlatformTenant.workspace_id, PlatformTenant.platform)
            .where(PlatformTenant.workspace_id.in_(workspaces))
            .distinct()
        )
    }
    bound = {workspace_id for workspace_id, _ in platforms}
    ids = [team.id for team in teams if team.workspace_id in bound]
    if not ids:
        return set()
    stale = session.execute(
        select(TeamMembership.team_id, PlatformIdentity.platform)
        .join(PlatformIdentity, PlatformIdentity.member_id == TeamMembership.member_id)
        .where(
            TeamMembership.team_id.in_(ids),
            PlatformIdentity.platform.in_({platform for _, platform in platforms}),
            or_(
                PlatformIdentity.synced_at.is_(None),
                PlatformIdentity.synced_at < now - REFRESH_AFTER,
            ),
        )
        .distinct()
    ).all()
    workspace_of = {team.id: team.workspace_id for team in teams}
    return {team_id for team_id, kind in stale if (workspace_of[team_id], kind) in platforms}


def refresh(session: Session, directory: DirectoryPort, *, team: Team, now: datetime) -> int:
    """Ask the directory again about the team's people not synced lately (a batch per run):
    names, profiles and roles. Returns how many identities were updated."""
    bound = {
        (b.platform, b.tenant_key): b
        for b in session.scalars(
            select(PlatformTenant).where(PlatformTenant.workspace_id == team.workspace_id)
        )
    }
    if not bound:
        return 0
    rows = session.scalars(
        select(PlatformIdentity)
        .join(TeamMembership, TeamMembership.member_id == PlatformIdentity.member_id)
        .where(
            TeamMembership.team_id == team.id,
            PlatformIdentity.platform.in_({p for p, _ in bound}),
            or_(
                PlatformIdentity.synced_at.is_(None),
                PlatformIdentity.synced_at < now - REFRESH_AFTER,
            ),
        )
        .order_by(PlatformIdentity.synced_at.is_not(None), PlatformIdentity.id)
        .limit(REFRESH_BATCH)
    ).all()
    updated = 0
    chats: dict[int, str] = {}
    for identity in rows:
        binding = bound.get((identity.platform, identity.tenant_key))
        if binding is None:
            continue  # an identity in a tenant that is no longer bound: leave it be
        if binding.id not in chats:
            chats[binding.id] = role_chat(session, team=team, binding=binding)
        user = directory.user(
            platform=identity.platform,
            tenant_key=identity.tenant_key,
            user_key=identity.user_key,
            chat_key=chats[binding.id],
        )
        if user is None:
            continue
        apply_profile(identity, user, now)
        raise_role(session, team=team, member=identity.member, roles=user.roles)
        updated += 1
    session.flush()
    return updated


def platform_chats(
    session: Session, directory: DirectoryPort, *, workspace_id: int
) -> list[tuple[PlatformTenant, DirectoryChat]]:
    """The real chats of every tenant bound to the workspace (to choose channels from)."""
    found: list[tuple[PlatformTenant, DirectoryChat]] = []
    for binding in session.scalars(
        select(PlatformTenant)
        .where(PlatformTenant.workspace_id == workspace_id)
        .order_by(PlatformTenant.id)
    ):
        if binding.kind == "group":  # a QQ group is one chat: itself
            found.append(
                (binding, DirectoryChat(f"group:{binding.tenant_key}", binding.name, "group"))
            )
            continue
        for chat in directory.chats(platform=binding.platform, tenant_key=binding.tenant_key):
            found.append((binding, chat))
    return found


def channel_from_chat(
    session: Session,
    directory: DirectoryPort,
    *,
    workspace: Workspace,
    team: Team | None,
    platform: str,
    address: str,
    purpose: str,
    name: str | None = None,
) -> Channel:
    """Make one of the workspace's real platform chats a channel of ``purpose``; a chat that
    is not in a bound tenant's list is refused (nothing changes)."""
    chat = next(
        (
            c
            for b, c in platform_chats(session, directory, workspace_id=workspace.id)
            if b.platform == platform and c.address == address
        ),
        None,
    )
    if chat is None:
        raise DomainError("binding.error.not_in_tenant", address=address)
    taken = session.scalar(
        select(Channel.id).where(
            Channel.workspace_id == workspace.id,
            Channel.platform == platform,
            Channel.address == chat.address,
            Channel.purpose == purpose,
        )
    )
    if taken is not None:
        raise Conflict("core.error.exists", what=chat.name or chat.address)
    return team_service.create_channel(
        session,
        workspace=workspace,
        platform=platform,
        address=chat.address,
        purpose=purpose,
        name=name if name is not None else (chat.name or None),
        team=team,
    )
