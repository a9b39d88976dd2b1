"""Tables of the OKR rhythm: the check-in reminders sent (for escalation) and retrospectives.

Kept apart from :mod:`teamassist.okr.models` (the OKRs themselves); both are in migration
``okr_0002``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime
from teamassist.models import TimestampMixin


class Reminder(Base):
    """One check-in reminder for one stale KR on one team-local date.

    Counting a KR's reminders since its last check-in is what escalates it to the director's
    digest; the unique key keeps a re-run from counting a day twice.
    """

    __tablename__ = "okr_reminder"
    __table_args__ = (UniqueConstraint("key_result_id", "local_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    key_result_id: Mapped[int] = mapped_column(ForeignKey("okr_key_result.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    local_date: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Retro(TimestampMixin, Base):
    """The 复盘 of one objective after its cycle: what worked, what did not, carry-overs, the
    director's acknowledgement and a follow-up note."""

    __tablename__ = "okr_retro"
    __table_args__ = (UniqueConstraint("objective_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    objective_id: Mapped[int] = mapped_column(ForeignKey("okr_objective.id", ondelete="CASCADE"))
    went_well: Mapped[str] = mapped_column(Text, default="")
    to_improve: Mapped[str] = mapped_column(Text, default="")
    # A committed O scored below 1.0 needs a follow-up; action items do not exist yet, so the
    # retrospective keeps a note of it.
    follow_up: Mapped[str | None] = mapped_column(Text)
    # [{"from": KR id, "to": the draft KR id in the next cycle}], never carried twice.
    carried: Mapped[list[Any] | None] = mapped_column(JSON)
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL")
    )
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
