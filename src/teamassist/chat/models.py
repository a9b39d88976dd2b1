"""The inbox: every inbound event is written down before it is handled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.clock import utcnow
from teamassist.database import Base, UTCDateTime


class InboundEvent(Base):
    """One platform event; the unique keys drop redeliveries, the status lets a restart resume.

    Platforms redeliver an event under its own id, but Feishu and QQ also push one message again
    under a new event id: the second key, on the platform's message id, drops those too.
    """

    __tablename__ = "inbound_event"
    __table_args__ = (
        UniqueConstraint("platform", "tenant_key", "event_id"),
        UniqueConstraint("platform", "tenant_key", "message_id"),
        Index("ix_inbound_event_status_received_at", "status", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    tenant_key: Mapped[str] = mapped_column(String(128), default="")
    event_id: Mapped[str] = mapped_column(String(128))
    # The platform's id of the message; None when there is none to key on (web chat, CLI, a
    # button pressed on a message, which many may press).
    message_id: Mapped[str | None] = mapped_column(String(128))
    # received -> done | failed; a "received" row older than a minute is replayed after a crash.
    status: Mapped[str] = mapped_column(String(16), default="received")
    message: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What was answered: a platform event's reply always; a local speaker's (REST, CLI) only
    # when the caller named the message, so that a retry of it gets the same reply.
    reply: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_id: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
