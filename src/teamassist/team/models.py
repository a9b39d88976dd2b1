"""Tables for workspaces, teams, members, identities, channels and dashboard accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from teamassist.database import Base, UTCDateTime
from teamassist.models import TimestampMixin


class Workspace(TimestampMixin, Base):
    """A community or company: a QQ guild, a Feishu tenant, or standalone."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="standalone")

    teams: Mapped[list[Team]] = relationship(back_populates="workspace", order_by="Team.id")


class PlatformTenant(Base):
    """Binds a platform's tenant (QQ guild id, Feishu tenant key) to a workspace."""

    __tablename__ = "platform_tenant"
    __table_args__ = (UniqueConstraint("platform", "tenant_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    tenant_key: Mapped[str] = mapped_column(String(128))


class Team(TimestampMixin, Base):
    """A group of people with its own time zone, roster and channels."""

    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    # Per-team knobs, e.g. {"schedule": {"duty.sign_in_reminder": ["10:00", "10:30"]}}.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    workspace: Mapped[Workspace] = relationship(back_populates="teams")


class Member(TimestampMixin, Base):
    """A person in a workspace; reachable on one or more platforms."""

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("workspace_id", "handle"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    handle: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    identities: Mapped[list[PlatformIdentity]] = relationship(
        back_populates="member", cascade="all, delete-orphan", order_by="PlatformIdentity.id"
    )


class TeamMembership(Base):
    """A member's role in one team."""

    __tablename__ = "team_membership"
    __table_args__ = (UniqueConstraint("team_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16), default="member")


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

    member: Mapped[Member] = relationship(back_populates="identities")


class Channel(TimestampMixin, Base):
    """A chat destination with a purpose: public, internal/duty, core, team group, webhook."""

    __tablename__ = "channel"
    __table_args__ = (UniqueConstraint("workspace_id", "platform", "address", "purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    platform: Mapped[str] = mapped_column(String(16))
    # Platform chat id (QQ channel id, Feishu chat_id) or, for a WeCom robot, the robot's name.
    address: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    # Night quiet window in the team's local time, "HH:MM"; notices are held until it ends.
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class LocalAccount(TimestampMixin, Base):
    """A dashboard login with an Argon2 password hash."""

    __tablename__ = "local_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))


class WebSession(Base):
    """One signed-in dashboard session; the signed cookie carries only its random id.

    The row is what makes a session revocable: logout and a password change end it, and a copy
    of the cookie stops working with it. Only a hash of the id is stored.
    """

    __tablename__ = "web_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("local_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
