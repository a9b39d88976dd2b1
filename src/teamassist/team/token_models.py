"""Personal API tokens: a member's own key for scripts, acting with the member's role."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime


class PersonalToken(Base):
    """One personal API token; only a hash of it is stored, it is shown once when created.

    It acts within its member's workspace and role (never more), and ends when revoked or when
    the member is deactivated (the principal lookup refuses inactive members).
    """

    __tablename__ = "personal_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A name the member chose ("CI", "my laptop") and the token's first characters, for lists.
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
