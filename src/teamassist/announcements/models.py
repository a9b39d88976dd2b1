"""An announcement and each of its recipients (a group's channel, or one member's DM).

A recipient row names the outbox notice that carries it (``outbox_key``), so a receipt is read
from the outbox's own state (sent / pending / dead) and never kept twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime


class AnnouncementKind(StrEnum):
    """A post to a group's chats, or one DM per member."""

    NOTICE = "notice"  # /通知, the grammar's ###群###内容
    BULK = "bulk"  # /群发, ***群发助手***


class Announcement(Base):
    """One announcement, by its author, to one group (a team's chats and people)."""

    __tablename__ = "announcement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    # The group as the author named it (a channel's or a team's name).
    group_name: Mapped[str] = mapped_column(String(200))
    # The body as queued (reply markdown with <@m:ID> mentions; user text marked).
    body: Mapped[str] = mapped_column(Text)
    # Where it came from, once: the chat event (NULL: none given). REST Idempotency-Keys were
    # kept here too (``rest:…``) until the HTTP kit's one store (``idempotency_key``) took them.
    source_key: Mapped[str | None] = mapped_column(String(191), unique=True)
    # Each recipient's action item is due then (NULL: no action item).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    send_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Cancelled before it went out (its pending notices withdrawn, its action items closed as
    # cancelled): when, and by whom (NULL: the workspace owner's token, or a member since gone).
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL")
    )


class AnnouncementRecipient(Base):
    """One destination of an announcement: a channel (``channel_id``) or a member's DM."""

    __tablename__ = "announcement_recipient"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcement.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channel.id", ondelete="SET NULL"))
    # What the receipt shows when the member or channel is gone.
    label: Mapped[str] = mapped_column(String(200))
    outbox_key: Mapped[str] = mapped_column(String(191), index=True)
    # The action desk's note on the item it opened for this recipient ("" when none was asked,
    # NULL when nobody could open one).
    action_note: Mapped[str | None] = mapped_column(Text)
