"""Outgoing notices waiting for, or done with, delivery."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.clock import utcnow
from teamassist.database import Base, UTCDateTime


class OutboxStatus(StrEnum):
    """Where a notice is in its life."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"  # gave up: permanent error or attempts exhausted; an admin can retry it


class OutboxMessage(Base):
    """One notice for one destination, written in the transaction of the change that caused it."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # At most once per key: re-running the code that queues a notice queues nothing new.
    idempotency_key: Mapped[str] = mapped_column(String(191), unique=True)
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channel.id", ondelete="SET NULL"))
    platform: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(200))
    reply_to: Mapped[str | None] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The earliest time its sender asked for (a scheduled send, or when it was queued), before
    # a chat's quiet hours held it: changing those hours re-times what they hold from here.
    # NULL on rows queued before core_0007.
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    # Indexed: card callbacks find the notice they belong to by the platform message id.
    external_id: Mapped[str | None] = mapped_column(String(128), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
