"""Tables for workspaces, teams, members, identities, channels and dashboard accounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    VARCHAR,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from teamassist.database import Base, UTCDateTime
from teamassist.models import TimestampMixin
from teamassist.team.names import fold
from teamassist.team.names import name_key as fold_name

# A folded key compares byte for byte on every backend: MariaDB's default collations would
# also equate accents (Anne = Änne) and so refuse names the other backends keep apart. The
# generic VARCHAR renders the same DDL as the MySQL dialect's without importing that dialect
# (~2 MiB) into a process serving SQLite or PostgreSQL.
FOLDED = String(255).with_variant(VARCHAR(255, collation="utf8mb4_bin"), "mysql", "mariadb")


def _folded_from(column: str) -> Callable[[Any], str]:
    """An insert default: ``fold`` of the row's ``column``, for Core bulk inserts (benchmarks,
    importers) that bypass the ORM validators below."""

    def default(context: Any) -> str:
        return fold(str(context.get_current_parameters()[column]))

    return default


def _name_key_from(context: Any) -> str:
    """An insert default: :func:`name_key` of the row's ``display_name`` (Core bulk inserts)."""
    return fold_name(str(context.get_current_parameters()["display_name"]))[:255]


class Workspace(TimestampMixin, Base):
    """A community or company: a QQ guild, a Feishu tenant, or standalone."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="standalone")

    teams: Mapped[list[Team]] = relationship(back_populates="workspace", order_by="Team.id")


class PlatformTenant(Base):
    """Binds a platform's tenant (QQ guild id, Feishu tenant key) to a workspace.

    A tenant belongs to at most one workspace; an admin binds it (CLI, dashboard, or ``/绑定``
    with a binding code), never a configuration file.
    """

    __tablename__ = "platform_tenant"
    __table_args__ = (UniqueConstraint("platform", "tenant_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    tenant_key: Mapped[str] = mapped_column(String(128))
    # What the tenant is on its platform: QQ "guild", "group" or "c2c" (the bot's private
    # chats); Feishu "tenant". The directory asks the matching API.
    kind: Mapped[str] = mapped_column(String(16), default="")
    # The guild's / tenant's name as the platform reported it when bound (for lists).
    name: Mapped[str] = mapped_column(String(200), default="")
    bound_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bound_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))


class BindingCode(Base):
    """A one-time code an admin hands to a platform admin, who runs ``/绑定 <code>`` there.

    Only a hash of the code is stored; a code binds one tenant and then is spent.
    """

    __tablename__ = "binding_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Which platform may use it (None: any).
    platform: Mapped[str | None] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_tenant_key: Mapped[str | None] = mapped_column(String(128))


class Team(TimestampMixin, Base):
    """A group of people with its own time zone, roster and channels."""

    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("workspace_id", "folded_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    # names.fold(key), kept by the validator below: what uniqueness and lookups compare.
    folded_key: Mapped[str] = mapped_column(FOLDED, default=_folded_from("key"))
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    # Per-team knobs, e.g. {"schedule": {"duty.sign_in_reminder": ["10:00", "10:30"]}}.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Organisation: a sub-team names its parent team and its leader.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="SET NULL"), index=True
    )
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    # The OKR side's director (负责人), granted by an admin; the welcome card is shown once.
    director_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    director_welcomed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    workspace: Mapped[Workspace] = relationship(back_populates="teams")

    @validates("key")
    def _fold_key(self, _field: str, value: str) -> str:
        self.folded_key = fold(value)
        return value


class Member(TimestampMixin, Base):
    """A person in a workspace; reachable on one or more platforms."""

    __tablename__ = "member"
    __table_args__ = (
        UniqueConstraint("workspace_id", "handle_key"),
        Index("ix_member_workspace_id_name_key", "workspace_id", "name_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    handle: Mapped[str] = mapped_column(String(64))
    # names.fold(handle), kept by the validator below, so no writer can forget it: what
    # uniqueness and every lookup by handle compare (Änne and änne are one person).
    handle_key: Mapped[str] = mapped_column(FOLDED, default=_folded_from("handle"))
    display_name: Mapped[str] = mapped_column(String(200))
    # names.name_key(display_name), kept by the validator below: what the look-alike rule
    # compares (「王　管理」 is 「王管理」; case, width and every blank aside), on every backend.
    name_key: Mapped[str] = mapped_column(FOLDED, default=_name_key_from)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # 称呼: how the assistant addresses them (None: derived, e.g. 姓+总 for a director).
    address_as: Mapped[str | None] = mapped_column(String(64))
    # Who this person reports to (1on1s, 360 reviews and OKR alignment stand on it).
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    # Deactivation keeps history; from this instant the member is no longer routed to.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when this record was merged into another person (its identities moved there).
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))

    identities: Mapped[list[PlatformIdentity]] = relationship(
        back_populates="member", cascade="all, delete-orphan", order_by="PlatformIdentity.id"
    )

    @validates("handle")
    def _fold_handle(self, _field: str, value: str) -> str:
        self.handle_key = fold(value)
        return value

    @validates("display_name")
    def _key_name(self, _field: str, value: str) -> str:
        self.name_key = fold_name(value)[:255]
        return value


class NameHold(Base):
    """A handle or name a person gave up by a rename, kept from everyone else until ``until``
    (``team.people.NAME_HOLD``): the workspace's owner renamed himself and a group admin took
    his old handle ``admin`` the next minute, and every "as": "admin" and @admin reached the
    group admin (tester s28 D-4). One row per key and workspace; the person it was taken from
    may take it back."""

    __tablename__ = "name_hold"
    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    # names.name_key of what was given up: a handle and a name share the key space, as the
    # rules that keep a handle from being another person's name do
    name_key: Mapped[str] = mapped_column(FOLDED)
    name: Mapped[str] = mapped_column(String(200))  # as it was, for the refusal
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime())


class TeamMembership(Base):
    """A member's role in one team."""

    __tablename__ = "team_membership"
    __table_args__ = (UniqueConstraint("team_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16), default="member")
    # In the team's core group (核心群: the leaders who meet weekly).
    core: Mapped[bool] = mapped_column(Boolean, default=False)
    # The team this person's chats that no channel binds (direct, web, CLI, API) act for,
    # chosen with /切换团队; at most one per person. None chosen: their first team by id.
    chosen: Mapped[bool] = mapped_column(Boolean, default=False)


# The order a person's teams are tried in by a chat no channel binds and a request naming no
# team: the one chosen with /切换团队, then the first by id (chat.placement,
# team.service.home_team; team.choice.acting_for says the same over loaded rows). Over the
# table's columns: the ORM's statements take them as they are, and chat.placement's plain Core
# statements stay free of ORM annotations.
ACTING_ORDER = (
    TeamMembership.__table__.c.chosen.desc(),
    TeamMembership.__table__.c.team_id,
)


class PlatformIdentity(Base):
    """How a member is known on one platform (QQ user id, Feishu open_id, WeCom userid...)."""

    __tablename__ = "platform_identity"
    __table_args__ = (UniqueConstraint("platform", "tenant_key", "user_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    # The guild / tenant the id is scoped to ("" where ids are global, e.g. web).
    tenant_key: Mapped[str] = mapped_column(String(128), default="")
    user_key: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    # What the platform's directory said last: {"roles": [...], "departments": [...], ...}.
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member] = relationship(back_populates="identities")


class Channel(TimestampMixin, Base):
    """A chat destination with a purpose: public, internal/duty, core, team group, webhook."""

    __tablename__ = "channel"
    __table_args__ = (
        UniqueConstraint("workspace_id", "platform", "address", "purpose"),
        # One name per team, whatever the timing (two creates at one instant both passed the
        # service's check, tester F6 of session 22); nameless rows hold NULL, never collide.
        UniqueConstraint("workspace_id", "name_team_id", "name_key"),
        Index("ix_channel_team_id_purpose", "team_id", "purpose"),
        # A batch's workspace-wide channels (team_id IS NULL) without reading the others.
        Index("ix_channel_workspace_id_team_id", "workspace_id", "team_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    platform: Mapped[str] = mapped_column(String(16))
    # Platform chat id (QQ channel id, Feishu chat_id) or, for a WeCom robot, the robot's name:
    # compared byte for byte on every backend, MariaDB too (team_0011); a web channel's, ours,
    # is stored folded by team.service.create_channel.
    address: Mapped[str] = mapped_column(
        String(200).with_variant(VARCHAR(200, collation="utf8mb4_bin"), "mysql", "mariadb")
    )
    purpose: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    # What the unique key above compares, set with the name by team.service (NULL when the
    # channel has no name): the team the name is unique in (its own, or the default team for
    # a workspace-wide channel, which notices treat as the default team's) and the folded
    # name (names.fold: case and width, as /通知 reads a group's name).
    name_team_id: Mapped[int | None] = mapped_column(Integer)
    name_key: Mapped[str | None] = mapped_column(FOLDED)
    # Night quiet window in the team's local time, "HH:MM"; notices are held until it ends.
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class LocalAccount(TimestampMixin, Base):
    """A dashboard login with an Argon2 password hash."""

    __tablename__ = "local_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Compared byte for byte on MariaDB too (team_0010): its collation ignored accents, and
    # ``Änne`` beside ``Anne`` (two folded names) broke this key.
    username: Mapped[str] = mapped_column(
        String(64).with_variant(VARCHAR(64, collation="utf8mb4_bin"), "mysql", "mariadb"),
        unique=True,
    )
    # names.fold(username), kept by the validator below: an account name is one name whatever
    # its case or width (tester s24 F10), unique on every backend, what lookups by name read.
    username_key: Mapped[str] = mapped_column(FOLDED, unique=True, default=_folded_from("username"))
    password_hash: Mapped[str] = mapped_column(String(255))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))

    @validates("username")
    def _fold_username(self, _field: str, value: str) -> str:
        self.username_key = fold(value)
        return value


class WebSession(Base):
    """One signed-in dashboard session; the signed cookie carries only its random id.

    The row is what makes a session revocable: logout and a password change end it, and a copy
    of the cookie stops working with it. Only a hash of the id is stored. A session belongs to a
    local account or, when signed in by a one-time link or Feishu, directly to a member.
    """

    __tablename__ = "web_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("local_account.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignInLink(Base):
    """A single-use, short-lived sign-in link the bot sends privately (``/登录``).

    Only a hash of the token is stored; using it marks it spent in the same transaction that
    starts the session.
    """

    __tablename__ = "sign_in_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
