"""Which source row became which row here, so running an import again imports nothing twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime


class ImportSource(Base):
    """One imported source row: ``(system, table, id)`` in a workspace → ``(table, id)`` here."""

    __tablename__ = "import_source"
    __table_args__ = (
        UniqueConstraint(
            "workspace_id",
            "source_system",
            "source_table",
            "source_id",
            name="uq_import_source_row",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    source_system: Mapped[str] = mapped_column(String(32))  # bot_onduty
    source_table: Mapped[str] = mapped_column(String(64))  # t_owner, t_sign, t_feedback, ...
    source_id: Mapped[str] = mapped_column(String(128))
    target_table: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
