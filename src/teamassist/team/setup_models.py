"""The install's first-run claim: the one row that makes ``/setup`` found one workspace only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime

FIRST_RUN_SLOT = 1  # the only key the table ever holds


class FirstRunClaim(Base):
    """Written by ``POST /setup`` in the transaction that founds the workspace.

    Its primary key is always :data:`FIRST_RUN_SLOT`, so of any number of setup submissions at
    once (on one server or several) the database lets exactly one commit; the others fail on
    the key, are run again and find the install set up. It goes with its workspace (cascade):
    an install whose workspaces were all deleted can be set up again.
    """

    __tablename__ = "first_run_claim"

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
