"""Feedback items and their history."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime


class FeedbackKind(StrEnum):
    """What was reported; the seed's 缺陷 / 需求."""

    BUG = "bug"
    SUGGESTION = "suggestion"


class FeedbackStatus(StrEnum):
    """Where an item is in its life."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    WONT_FIX = "wont_fix"
    DUPLICATE = "duplicate"


CLOSED_STATUSES = (FeedbackStatus.RESOLVED, FeedbackStatus.WONT_FIX, FeedbackStatus.DUPLICATE)
ACTIVE_STATUSES = (FeedbackStatus.OPEN, FeedbackStatus.ACKNOWLEDGED)


class FeedbackAction(StrEnum):
    """One step in an item's history."""

    REPORTED = "reported"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    WONT_FIX = "wont_fix"
    DUPLICATE = "duplicate"
    REOPENED = "reopened"
    ASSIGNED = "assigned"
    PLUS_ONE = "plus_one"
    RENOTIFIED = "renotified"
    ESCALATED = "escalated"
    DIGESTED = "digested"


# Search indexes the models cannot describe, built by migration feedback_0002: SQLite's FTS5
# table (with its shadow tables and vocabulary, all named ``feedback_item_fts_*``) and its
# triggers, PostgreSQL's trigram index; and MariaDB's n-gram table ``feedback_search_grams``
# and its triggers (migration feedback_0003, see ``feedback.grams``). The schema comparison
# leaves them out (``bootstrap.include_name``). A batch migration that copies
# ``feedback_item`` on SQLite drops the triggers: such a migration must create them again.
UNMODELLED = ("feedback_item_fts", "ix_feedback_item_text_trgm", "feedback_search_grams")


class FeedbackItem(Base):
    """One piece of community feedback; ``id`` is the short number users type."""

    __tablename__ = "feedback_item"
    __table_args__ = (
        # The day listing (/当日反馈) and the per-day report: one team, one local date.
        Index("ix_feedback_item_team_id_local_date", "team_id", "local_date"),
        # Open items of a team (sweep, hand-off digest, sign-in digest).
        Index("ix_feedback_item_team_id_status", "team_id", "status"),
        # The workspace-wide list and board, newest first, and their status filter.
        Index("ix_feedback_item_workspace_id_id", "workspace_id", "id"),
        Index("ix_feedback_item_workspace_id_status", "workspace_id", "status"),
        # The repeat guard (``feedback.repeats``): one item per key, skipped on conflict.
        Index("ux_feedback_item_repeat_key", "repeat_key", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    reporter_name: Mapped[str] = mapped_column(String(200), default="")
    origin_platform: Mapped[str] = mapped_column(String(16), default="")
    origin_tenant_key: Mapped[str] = mapped_column(String(128), default="")
    origin_chat_key: Mapped[str] = mapped_column(String(200), default="")
    origin_chat_name: Mapped[str] = mapped_column(String(200), default="")
    origin_message_id: Mapped[str | None] = mapped_column(String(128))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=FeedbackStatus.OPEN)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="SET NULL")
    )
    plus_ones: Mapped[int] = mapped_column(Integer, default=0)
    local_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the item reached a closed state (resolved, won't fix, duplicate).
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_note: Mapped[str | None] = mapped_column(Text)
    # The desk's follow-up clock: set on arrival, reopen and reassignment.
    awaiting_since: Mapped[datetime] = mapped_column(UTCDateTime())
    renotified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Arrived while nobody was on duty: waits for the next sign-in's digest.
    digest_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Digest of (team, reporter, kind, text) and the 10-minute window it was sent in; None for
    # an item with no reporter and for items older than the guard (``feedback.repeats``).
    repeat_key: Mapped[str | None] = mapped_column(String(64))


class FeedbackEvent(Base):
    """One step of an item's history: who did what, when, with an optional note."""

    __tablename__ = "feedback_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    # Action details: {"owner_id": 3, "from_owner_id": 2} or {"original_id": 7}.
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
