"""Action items (销项), every change made to them, and the overdue reminders sent."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime
from teamassist.models import TimestampMixin


class ActionState(StrEnum):
    """Where an item is: open (being worked on; also after a reopen), done (the owner says so,
    awaiting the requester's check), closed (the requester checked it)."""

    OPEN = "open"
    DONE = "done"
    CLOSED = "closed"


class ActionChange(StrEnum):
    """One step in an item's history (the audit trail and the ageing chart read these)."""

    CREATED = "created"
    DONE = "done"
    CLOSED = "closed"
    REOPENED = "reopened"
    EXTENDED = "extended"
    ESCALATED = "escalated"
    REASSIGNED = "reassigned"


class ActionItem(TimestampMixin, Base):
    """One action item; ``id`` is the number people type (``/完成销项 12``).

    ``source_kind`` + ``source_id`` say where it came from without a foreign key, so a KR
    (``okr_kr``), an objective's retrospective (``okr_objective``) and later a meeting or a 1on1
    attach without a migration.
    """

    __tablename__ = "action_item"
    __table_args__ = (
        # The overdue sweep and the team list: one team's items in a state.
        Index("ix_action_item_team_id_state", "team_id", "state"),
        # /我的销项: an owner's items in a state.
        Index("ix_action_item_owner_id_state", "owner_id", "state"),
        Index("ix_action_item_source", "source_kind", "source_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(Text)
    # RESTRICT: a member row is not deleted under their items (actions_0002 says why).
    owner_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="RESTRICT"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="RESTRICT"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16), default=ActionState.OPEN.value)
    source_kind: Mapped[str | None] = mapped_column(String(32))
    source_id: Mapped[int | None] = mapped_column(Integer)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set once, the day the item went to the director's digest (cleared by nothing: history).
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ActionEvent(Base):
    """One change of an item: who (None: the assistant), when, what, and its details
    (``{"from": iso, "to": iso, "reason": str}`` for an extension, ``{"note": str}`` else)."""

    __tablename__ = "action_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("action_item.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ActionReminder(Base):
    """The overdue reminder of one item on one team-local date; the unique key makes a second
    run of the same day send and count nothing."""

    __tablename__ = "action_reminder"
    __table_args__ = (UniqueConstraint("item_id", "local_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("action_item.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
