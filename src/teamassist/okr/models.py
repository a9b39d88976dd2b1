"""Tables of the OKR desk: cycles, objectives, key results, contributors, alignment, check-ins.

Values are doubles (``Double``: DOUBLE on MySQL, never its single-precision FLOAT); weights are
whole percents. ``number`` is the short id (O-1, KR-3), unique per team and cycle.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime
from teamassist.models import TimestampMixin


class CycleKind(StrEnum):
    """The length of a cycle; years nest halves, halves nest quarters, quarters nest months."""

    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"


class CycleState(StrEnum):
    """Where a cycle stands; all but ``closed`` follow from the team's local date."""

    PLANNING = "planning"
    ACTIVE = "active"
    GRADING = "grading"
    CLOSED = "closed"


class ObjectiveType(StrEnum):
    """Committed Os are expected to reach 1.0; aspirational ones aim for about 0.7."""

    COMMITTED = "committed"
    ASPIRATIONAL = "aspirational"


class ObjectiveState(StrEnum):
    """Draft until the publish checks pass."""

    DRAFT = "draft"
    PUBLISHED = "published"


class ProgressMode(StrEnum):
    """How an O's progress rolls up from its KRs."""

    WEIGHTED = "weighted"
    MEAN = "mean"


class Cycle(TimestampMixin, Base):
    """A year, half, quarter or month of one team, in the team's local dates."""

    __tablename__ = "okr_cycle"
    __table_args__ = (UniqueConstraint("team_id", "kind", "year", "index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    index: Mapped[int] = mapped_column(Integer)  # half 1–2, quarter 1–4, month 1–12; year 1
    key: Mapped[str] = mapped_column(String(16))  # 2026, 2026H1, 2026Q4, 2026M03
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("okr_cycle.id", ondelete="SET NULL"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    # The last day of the grading window (the team's setting when the cycle was made).
    grading_until: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Double())


class Objective(TimestampMixin, Base):
    """An O of a team's cycle, owned by one member."""

    __tablename__ = "okr_objective"
    __table_args__ = (
        UniqueConstraint("cycle_id", "team_id", "number"),
        Index("ix_okr_objective_owner_cycle", "owner_id", "cycle_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("okr_cycle.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    okr_type: Mapped[str] = mapped_column(String(16), default=ObjectiveType.COMMITTED.value)
    state: Mapped[str] = mapped_column(String(16), default=ObjectiveState.DRAFT.value)
    progress_mode: Mapped[str] = mapped_column(String(16), default=ProgressMode.WEIGHTED.value)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Double())  # an override; None: suggested
    score_reason: Mapped[str | None] = mapped_column(Text)


class KeyResult(TimestampMixin, Base):
    """A measurable result of an objective."""

    __tablename__ = "okr_key_result"
    __table_args__ = (UniqueConstraint("cycle_id", "team_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("okr_cycle.id", ondelete="CASCADE"))
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("okr_objective.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    start_value: Mapped[float | None] = mapped_column(Double())
    target_value: Mapped[float | None] = mapped_column(Double())
    unit: Mapped[str] = mapped_column(String(16), default="")
    weight: Mapped[int] = mapped_column(Integer, default=0)
    # Milestone names, in order (kind "milestone": the target is their count).
    milestones: Mapped[list[Any] | None] = mapped_column(JSON)
    current_value: Mapped[float | None] = mapped_column(Double())
    confidence: Mapped[int | None] = mapped_column(Integer)
    last_checkin_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Double())  # an override; None: suggested
    score_reason: Mapped[str | None] = mapped_column(Text)


class Contributor(Base):
    """A member who works on an O or a KR besides its owner."""

    __tablename__ = "okr_contributor"
    __table_args__ = (UniqueConstraint("target_type", "target_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_type: Mapped[str] = mapped_column(String(16))  # objective / key_result
    target_id: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)


class Alignment(Base):
    """An O or KR contributes to a parent O (several parents allowed; no cycles)."""

    __tablename__ = "okr_alignment"
    __table_args__ = (
        UniqueConstraint("child_type", "child_id", "parent_id"),
        Index("ix_okr_alignment_parent", "parent_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    child_type: Mapped[str] = mapped_column(String(16))  # objective / key_result
    child_id: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int] = mapped_column(ForeignKey("okr_objective.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CheckIn(Base):
    """A KR's value, confidence 0–10 and comment at a moment (append-only)."""

    __tablename__ = "okr_check_in"
    __table_args__ = (
        Index("ix_okr_check_in_kr_at", "key_result_id", "at"),
        UniqueConstraint("key_result_id", "origin"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_result_id: Mapped[int] = mapped_column(ForeignKey("okr_key_result.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    value: Mapped[float] = mapped_column(Double())
    confidence: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    local_date: Mapped[date] = mapped_column(Date)
    # Entered during the grading window (补登), after the cycle ended.
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    # The card it was pressed on (``card:<message id>``): one check-in per KR and card, so an
    # old card pressed again records nothing. None for typed check-ins.
    origin: Mapped[str | None] = mapped_column(String(160))


class DeletedRef(Base):
    """A short id deleted from a cycle (``O-2``, ``KR-3``), with its title and when: a delete
    retried within minutes, or one that lost its race, is told 「已经删除了」 instead of
    reaching the same number in another cycle (tester s27 C-5)."""

    __tablename__ = "okr_deleted_ref"
    __table_args__ = (
        Index("ix_okr_deleted_ref_cycle_kind_number", "cycle_id", "kind", "number"),
        Index("ix_okr_deleted_ref_kind_row_id", "kind", "row_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("okr_cycle.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(2))  # O / KR
    number: Mapped[int] = mapped_column(Integer)
    # the deleted row's database id (REST names it so); NULL for rows kept before okr_0005
    row_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime())
