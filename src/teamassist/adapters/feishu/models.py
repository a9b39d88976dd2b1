"""What the Feishu workspace tools made: one row per product key and kind (a task, a calendar
event, a document, a folder), holding Feishu's id for it.

The row is the "in flight" record the pitfalls call for: it is written before a create call
that Feishu cannot deduplicate (folders, documents, attendees), so a retry after an unknown
outcome looks for the object (by listing) instead of making a second one. ``object_id`` is empty
while in flight. ``state`` is the last state sent (for tasks: the members, to remove a previous
assignee; for events: the attendees added), ``sequence`` the last calendar sequence applied.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.clock import utcnow
from teamassist.database import Base, UTCDateTime


class FeishuObject(Base):
    """A Feishu object made for a product key (``actions.item:12``, ``meetings.occurrence:7``)."""

    __tablename__ = "feishu_object"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        Index("ix_feishu_object_object_id", "object_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # task, event, document, folder
    key: Mapped[str] = mapped_column(String(191))
    object_id: Mapped[str] = mapped_column(String(128), default="")  # "" while in flight
    url: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
