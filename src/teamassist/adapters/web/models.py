"""Notices delivered to the web: channel feeds and personal inboxes on the dashboard."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.clock import utcnow
from teamassist.database import Base, UTCDateTime


class WebMessage(Base):
    """A notice shown on the dashboard (a web channel's feed or a member's inbox)."""

    __tablename__ = "web_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(Integer, unique=True)  # delivered once per notice
    # The notice's workspace, kept here: the outbox row is purged after ``chat.outbox_days``,
    # and the feed, the export and the workspace's deletion must still find this one.
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str] = mapped_column(String(200), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
