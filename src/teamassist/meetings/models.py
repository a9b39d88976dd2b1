"""Materialised meeting occurrences: one row per meeting a team will hold (or held), so a move
or a cancellation persists and every step is sent once."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
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


class Status(StrEnum):
    """A scheduled occurrence sends its steps; a cancelled one sends nothing more."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Step(StrEnum):
    """The steps of an occurrence, in order; each is sent once (``<step>_sent_at``)."""

    NOTICE = "notice"
    DUE = "due"
    START = "start"
    EVALUATION = "evaluation"


class MeetingOccurrence(TimestampMixin, Base):
    """One meeting of a team's series; ``id`` is the number people type (``/改期 12 …``).

    ``key`` names the rule's occurrence (``weekly:2026-10-02``, ``monthly:2026-11``), so planning
    again never makes a second row. Step instants are UTC; ``next_at`` is the earliest step not
    yet sent (None: nothing left), which the step sweep selects on and claims by compare-and-set.
    ``sequence`` is the iCalendar SEQUENCE (bumped on every move or cancellation).
    """

    __tablename__ = "meeting_occurrence"
    __table_args__ = (
        UniqueConstraint("team_id", "key"),
        # The step sweep: a team's occurrences with a step due.
        Index("ix_meeting_occurrence_team_id_next_at", "team_id", "next_at"),
        # Listings and the feeds: a team's occurrences by start.
        Index("ix_meeting_occurrence_team_id_start_at", "team_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    report_title: Mapped[str] = mapped_column(String(120))
    next_label: Mapped[str] = mapped_column(String(32), default="")
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    notice_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    evaluation: Mapped[bool] = mapped_column(Boolean, default=False)
    place: Mapped[str] = mapped_column(String(200), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default=Status.SCHEDULED.value)
    moved: Mapped[bool] = mapped_column(Boolean, default=False)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)  # why it was moved or cancelled
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    start_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    evaluation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MeetingRank(Base):
    """One judge's place for one candidate (a team leader) in a period meeting's evaluation
    (the seed's unused ``rank`` table: judge, leader, meeting, rank). A judge's later ballot
    replaces their earlier one; the unique key keeps one place per candidate."""

    __tablename__ = "meeting_rank"
    __table_args__ = (UniqueConstraint("occurrence_id", "judge_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_occurrence.id", ondelete="CASCADE"), index=True
    )
    judge_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1 = first
    at: Mapped[datetime] = mapped_column(UTCDateTime())
