"""Tables of the duty desk: rotations as parameters, append-only versions, overrides, swaps,
calendar exceptions and sign-ins.

Nothing here stores "who is on duty on date X": that is computed by :mod:`teamassist.duty.rotation`
from the versions, so an edit is a new row effective from a moment and the past never changes.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
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

from teamassist.clock import utcnow
from teamassist.database import Base, UTCDateTime


class Rotation(Base):
    """A named rotation of a team (技术, 产品, ...); its parameters live in its versions."""

    __tablename__ = "duty_rotation"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))  # stable code used in commands: tech, product
    name: Mapped[str] = mapped_column(String(100))  # shown to users: 技术, 产品
    kind: Mapped[str] = mapped_column(String(16), default="custom")  # tech | product | custom
    position: Mapped[int] = mapped_column(Integer, default=0)  # display order
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Changed (in the same transaction) by every write to the rotation's schedule, so a cache of
    # compiled specs can tell with one query whether it is current (teamassist.duty.revision).
    # Random steps, not +1: a restored or recreated database never repeats a value seen before.
    revision: Mapped[int] = mapped_column(
        BigInteger, default=lambda: new_revision(), server_default="0"
    )


def new_revision(previous: int = 0) -> int:
    """A revision after ``previous``: larger, by a random step (see ``Rotation.revision``)."""
    return previous + secrets.randbelow(1 << 31) + 1


class RotationVersion(Base):
    """The rotation's parameters from ``effective_at`` on (append-only; never updated).

    The turn holding day ``d`` (an active day of the calendar) is
    ``(anchor_index + turn * people_per_turn) mod len(member_ids)`` where
    ``turn = active days in [anchor_date, d) // turn_days``.
    """

    __tablename__ = "duty_rotation_version"
    __table_args__ = (Index("ix_duty_rotation_version_rot_eff", "rotation_id", "effective_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("duty_rotation.id", ondelete="CASCADE"))
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime())
    member_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    anchor_date: Mapped[date] = mapped_column(Date)
    anchor_index: Mapped[int] = mapped_column(Integer, default=0)
    turn_days: Mapped[int] = mapped_column(Integer, default=1)
    people_per_turn: Mapped[int] = mapped_column(Integer, default=1)
    handoff_time: Mapped[str] = mapped_column(String(5), default="03:00")
    calendar: Mapped[str] = mapped_column(String(16), default="all")  # all | weekdays | cn_workdays
    change: Mapped[str] = mapped_column(String(32), default="create")  # what made this version
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Only a version that has not taken effect yet can be withdrawn; it then never applied.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Whose departure withdrew it (a swap of positions with them, say): calling that departure
    # off applies it again (duty.departures). Cleared once the return has dealt with it.
    cancelled_for_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL")
    )


class Override(Base):
    """Someone (or nobody, ``member_id`` NULL) takes the whole rotation for [start_at, end_at)."""

    __tablename__ = "duty_override"
    __table_args__ = (Index("ix_duty_override_rot_start", "rotation_id", "start_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("duty_rotation.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Cancelling never erases the part that already happened: it ends at the cancel time.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Whose departure cancelled it: calling that departure off restores it (duty.departures).
    cancelled_for_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL")
    )


class Swap(Base):
    """Two people trade specific shifts: A's shift on ``date_a`` with B's shift on ``date_b``.

    Without ``date_b`` it is a one-way cover: B takes A's shift. Bound to the shifts (duty dates),
    not to absolute times, and applied only from ``created_at`` on.
    """

    __tablename__ = "duty_swap"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("duty_rotation.id", ondelete="CASCADE"))
    member_a_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    date_a: Mapped[date] = mapped_column(Date)
    member_b_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    date_b: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Whose departure cancelled it: calling that departure off restores it (duty.departures).
    cancelled_for_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL")
    )


class CalendarException(Base):
    """An admin's word on one date of a rotation's calendar: active (work) or not (day off)."""

    __tablename__ = "duty_calendar_exception"
    __table_args__ = (UniqueConstraint("rotation_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("duty_rotation.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SignIn(Base):
    """One person's sign-in and sign-out for one duty day of one rotation, with the duty report."""

    __tablename__ = "duty_sign_in"
    __table_args__ = (UniqueConstraint("rotation_id", "member_id", "duty_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("duty_rotation.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    duty_date: Mapped[date] = mapped_column(Date)
    signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime())
    signed_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report: Mapped[str | None] = mapped_column(Text)
