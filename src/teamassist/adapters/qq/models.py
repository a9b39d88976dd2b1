"""How many proactive (non-reply) messages each QQ destination took in the current period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.clock import utcnow
from teamassist.database import Base, UTCDateTime


class QQProactiveUsage(Base):
    """One counter per (destination, period): a day for guild channels, a month for groups/C2C."""

    __tablename__ = "qq_proactive_usage"
    __table_args__ = (UniqueConstraint("address", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(200))  # "channel:<id>", "group:<openid>", ...
    period: Mapped[str] = mapped_column(String(16))  # "2026-06-01" (day) or "2026-06" (month)
    count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
