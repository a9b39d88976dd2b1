"""When an unbound chat was last told how to bind it (so it is told at most once a day)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime


class UnboundChatNotice(Base):
    """One chat of a tenant no workspace has claimed, and when it last got the ``/绑定`` hint."""

    __tablename__ = "unbound_chat_notice"
    __table_args__ = (UniqueConstraint("platform", "chat_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    tenant_key: Mapped[str] = mapped_column(String(128), default="")
    chat_key: Mapped[str] = mapped_column(String(200))
    told_at: Mapped[datetime] = mapped_column(UTCDateTime())
