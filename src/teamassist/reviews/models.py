"""The 360 review tables, cut so that an answer cannot be linked to its reviewer.

Two tables meet only in (cycle, reviewee, pool), never in a row id or a time:

- :class:`ReviewRequest` knows *who* reviews *whom* in which pool and the request's status
  (nominated → invited → declined / submitted, or withdrawn when the
  reviewer leaves). It holds no answer and no time at all.
- :class:`ReviewResponse` holds *what* was answered: the cycle, the reviewee, the pool and the
  answers. It has no reviewer id, no created/updated time, and its primary key is a random
  UUID, so neither its id nor the order of its ids says when it was written or by whom.

Submitting marks the request ``submitted`` (a compare-and-set on ``invited``) and inserts the
response in the same transaction. The limit of this cut is a database administrator, not a user
of the product: PostgreSQL's ``xmin`` and its heap order, MariaDB's binary log or a statement
log can still pair the two writes of one transaction. See ``docs/reviews.md``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime


class Pool(StrEnum):
    """Whose view an answer gives of the reviewee (the seed's 上级 / 同事 / 下属 / 自评)."""

    MANAGER = "manager"
    PEER = "peer"
    REPORT = "report"
    SELF = "self"


class RequestStatus(StrEnum):
    """A request's life: a reviewee's nomination waits for the director's approval; a reviewer
    who leaves the team (deactivated, merged away) has their open requests ``withdrawn``."""

    NOMINATED = "nominated"
    INVITED = "invited"
    DECLINED = "declined"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class ReviewCycle(Base):
    """One 360 round of a team: whom it reviews, its questions and its ``k``, fixed at start."""

    __tablename__ = "review_cycle"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # The last team-local day answers are taken; the cycle closes at its end (or when closed).
    due_on: Mapped[date] = mapped_column(Date)
    # The question list as it stood at start: [{"key", "kind": "rating"|"text", "text"}...].
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # Fewest answers a pool needs to be shown; copied from the team at start so lowering the
    # team's setting later cannot reveal a small pool of this cycle.
    min_answers: Mapped[int] = mapped_column(Integer)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ReviewSubject(Base):
    """One reviewee of a cycle, and whether the director has released their summary."""

    __tablename__ = "review_subject"
    __table_args__ = (UniqueConstraint("cycle_id", "reviewee_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id", ondelete="CASCADE"))
    reviewee_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ReviewRequest(Base):
    """Who is asked to review whom, in which pool; no answer, no time (see the module)."""

    __tablename__ = "review_request"
    __table_args__ = (UniqueConstraint("cycle_id", "reviewee_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id", ondelete="CASCADE"))
    reviewee_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    pool: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    # Why a reviewer declined: for the director only, never shown to the reviewee.
    decline_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # What a departure withdrew (nominated or invited): a member re-enabled while the cycle is
    # open gets the request back as it was (tester F21, session 18). NULL otherwise.
    withdrawn_from: Mapped[str | None] = mapped_column(String(16), nullable=True)


class ReviewResponse(Base):
    """One submitted set of answers: no reviewer, no time, a random id (see the module)."""

    __tablename__ = "review_response"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4().hex
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("review_cycle.id", ondelete="CASCADE"), index=True
    )
    reviewee_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    pool: Mapped[str] = mapped_column(String(16))
    # {"<question key>": 1..5 for a rating, "<text>" for free text}; unanswered keys absent.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
