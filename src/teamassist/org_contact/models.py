"""A message to a team's director (有事儿找组织) and the director's relayed replies.

``sender_id`` is the one place an anonymous sender is known: it is read only to deliver a
relayed reply and to count the sender's daily limit, never shown (chat, REST, pages, logs) nor
exported. The ``inbound_*`` columns name the chat event that carried the message (its inbox
row holds the sender's platform id and name), so the export can withhold that row and the
acknowledgement queued for it (``org_contact/export.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime


class OrgMessage(Base):
    """One message from a member to the director (or stand-in) of a team they belong to."""

    __tablename__ = "org_message"
    __table_args__ = (Index("ix_org_message_sender_id_created_at", "sender_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    # Who it went to (the director, else the stand-in); they alone may answer it.
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    # The opaque thread id people type (/回复 R-12); it says nothing about the sender.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The inbox row's key (``inbound_event`` platform, tenant_key, event_id); None when sent
    # through REST, which has no inbox row.
    inbound_platform: Mapped[str | None] = mapped_column(String(16))
    inbound_tenant: Mapped[str | None] = mapped_column(String(128))
    inbound_event_id: Mapped[str | None] = mapped_column(String(128))


class OrgReply(Base):
    """A reply relayed to the sender of an :class:`OrgMessage`."""

    __tablename__ = "org_reply"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("org_message.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
