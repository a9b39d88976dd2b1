"""The scheduler's tables: the claim of each occurrence, and each (job, team)'s next due time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime


class JobRun(Base):
    """A daily job's occurrence for one team; the unique key is the claim."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job_key", "team_id", "slot_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_key: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[int] = mapped_column(Integer)  # no FK: runs are history, kept if a team goes
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))  # done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    # The tick that claimed the row (random per batch): rows are claimed many at once with
    # conflicts skipped, and this tells the claimer which of them it won.
    claim: Mapped[str | None] = mapped_column(String(32))


class JobDue(Base):
    """When a job next needs a look for one team (UTC); NULL when it is switched off.

    The tick reads only the rows due, so an idle tick costs one indexed query whatever the
    number of teams. ``job_key`` ``"*"`` marks a team whose time zone or schedule changed (or
    that is new): the next tick plans all its jobs afresh.
    """

    __tablename__ = "job_due"
    __table_args__ = (Index("ix_job_due_due_at", "due_at"),)

    job_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # no FK, as job_run
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
