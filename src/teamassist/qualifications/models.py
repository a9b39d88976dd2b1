"""Role qualification (任职资格) rows: a team's framework (tracks with ordered levels and their
criteria), each person's current level with evidence, and the yearly assessment records.

A person's level and assessments are read by the person, the team's director and admins only
(:mod:`teamassist.qualifications.access`); the framework is the team's common reference.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime


class Outcome(StrEnum):
    """An assessment's outcome."""

    QUALIFIED = "qualified"
    NOT_YET = "not_yet"


class QualTrack(Base):
    """A track (a role family: 技术序列 P, 管理序列 M) of one team's framework."""

    __tablename__ = "qual_track"
    __table_args__ = (UniqueConstraint("team_id", "key", name="uq_qual_track_team_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    job_type: Mapped[str] = mapped_column(String(16), default="ic")  # ic / manager


class QualLevel(Base):
    """One level of a track: ``code`` (P1), its place (``rank``, 1 lowest) and criteria."""

    __tablename__ = "qual_level"
    __table_args__ = (UniqueConstraint("track_id", "code", name="uq_qual_level_track_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("qual_track.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(100))
    criteria: Mapped[list[str]] = mapped_column(JSON, default=list)


class QualHolding(Base):
    """A person's current level in a team, with the evidence and who set it when."""

    __tablename__ = "qual_holding"
    __table_args__ = (UniqueConstraint("team_id", "member_id", name="uq_qual_holding_person"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(ForeignKey("qual_level.id", ondelete="CASCADE"))
    evidence: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), nullable=True
    )
    since: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QualAssessment(Base):
    """A person's assessment of one year: the level assessed, the outcome, the assessor and
    the date it takes effect. One record per person, team and year (a second is refused)."""

    __tablename__ = "qual_assessment"
    __table_args__ = (
        UniqueConstraint("team_id", "member_id", "year", name="uq_qual_assessment_year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    level_id: Mapped[int] = mapped_column(ForeignKey("qual_level.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(16))
    evidence: Mapped[str] = mapped_column(Text, default="")
    assessor_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), nullable=True
    )
    effective_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
