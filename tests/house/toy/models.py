"""The toy domain's one table: notes left in chat or by its sweep.

Unlike a real domain, the toy keeps its own ``MetaData``: it is imported into the same test
process as the whole suite, whose migration check compares the installed domains' models (on
``teamassist.database.Base``) with their migrations. The foreign key to ``team`` is in the
toy's migration; here ``team_id`` is a plain column, as a key into another metadata cannot be
resolved.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from teamassist.database import Base, UTCDateTime


class ToyBase(DeclarativeBase):
    """The toy's own declarative base (same naming convention as the house's)."""

    metadata = MetaData(naming_convention=Base.metadata.naming_convention)


class ToyNote(ToyBase):
    """One note of one team."""

    __tablename__ = "toy_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
