"""Secret calendar feed URLs (iCal subscriptions) of the duty desk.

The URL carries a random token; only its SHA-256 is stored, so a copy of the database does not
reveal working feed URLs. A feed shows one rotation or one person's shifts; revoking it makes
the URL answer 404 from then on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.clock import utcnow
from teamassist.database import Base, UTCDateTime

SCOPE_ROTATION = "rotation"
SCOPE_MEMBER = "member"


class FeedToken(Base):
    """One subscribable feed: the hash of its secret token and what it shows."""

    __tablename__ = "duty_feed_token"
    __table_args__ = (Index("ix_duty_feed_token_team", "team_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(16))  # rotation | member
    rotation_id: Mapped[int | None] = mapped_column(
        ForeignKey("duty_rotation.id", ondelete="CASCADE")
    )
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
