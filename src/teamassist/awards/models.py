"""The monthly expert selection's rows: a round per team and month, its nominations and votes.

One vote per (round, voter) is a unique constraint: a second vote replaces the first (an
update of the same row), and two requests racing still end with one row.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime


class Phase(StrEnum):
    """Where a round stands: nominations open, voting open, closed (tally known, announced)."""

    NOMINATING = "nominating"
    VOTING = "voting"
    CLOSED = "closed"


# Catalogue keys spelled out, so the catalogue check sees every one.
PHASE_LABEL = {
    Phase.NOMINATING.value: "awards.phase.nominating",
    Phase.VOTING.value: "awards.phase.voting",
    Phase.CLOSED.value: "awards.phase.closed",
}
# Why a round in a phase cannot move as asked.
PHASE_REFUSAL = {
    Phase.NOMINATING.value: "awards.error.phase_nominating",
    Phase.VOTING.value: "awards.error.phase_voting",
    Phase.CLOSED.value: "awards.error.phase_closed",
}


class AwardRound(Base):
    """One team's round of one month (``period`` ``2026-11`` in the team's zone)."""

    __tablename__ = "award_round"
    __table_args__ = (UniqueConstraint("team_id", "period", name="uq_award_round_team_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    phase: Mapped[str] = mapped_column(String(16), default=Phase.NOMINATING.value)
    # The planned moments (UTC), fixed when the round opens from the team's settings.
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    voting_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set once at close: when, who won (None without votes) and the full tally, kept as the
    # history shows it: [{"nominee_id", "votes", "nominators", "first_nominated"}], best first.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    winner_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), nullable=True
    )
    tally: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)


class AwardNomination(Base):
    """``nominator`` puts ``nominee`` forward in a round, with a reason and evidence links."""

    __tablename__ = "award_nomination"
    __table_args__ = (
        UniqueConstraint("round_id", "nominee_id", "nominator_id", name="uq_award_nomination_once"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("award_round.id", ondelete="CASCADE"), index=True
    )
    nominee_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    nominator_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AwardVote(Base):
    """A voter's one vote in a round; voting again changes ``nominee_id`` on this row."""

    __tablename__ = "award_vote"
    __table_args__ = (UniqueConstraint("round_id", "voter_id", name="uq_award_vote_round_voter"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_round.id", ondelete="CASCADE"))
    voter_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    nominee_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
