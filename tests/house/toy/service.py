"""Notes: add and list (flush only; the boundary commits)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.team.models import Team
from tests.house.toy.models import ToyNote


def add_note(session: Session, *, team: Team, text: str, now: datetime) -> ToyNote:
    """Keep ``text`` for ``team``."""
    note = ToyNote(team_id=team.id, text=text, created_at=now)
    session.add(note)
    session.flush()
    return note


def notes(session: Session, *, team_id: int) -> Sequence[ToyNote]:
    """The team's notes, oldest first."""
    return session.scalars(
        select(ToyNote).where(ToyNote.team_id == team_id).order_by(ToyNote.id)
    ).all()
