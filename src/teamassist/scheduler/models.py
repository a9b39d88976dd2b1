"""One row per (job, team, occurrence): the claim that makes a job run exactly once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
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
