"""Did this transaction queue a notice? Boundaries kick delivery only when it did."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from teamassist.outbox.models import OutboxMessage

_QUEUED = "teamassist.outbox_queued"


@event.listens_for(Session, "after_flush")
def _note_queued(session: Session, _context: Any) -> None:
    if not session.info.get(_QUEUED) and any(isinstance(o, OutboxMessage) for o in session.new):
        session.info[_QUEUED] = True


def queued(session: Session) -> bool:
    """True once a flush of ``session`` inserted an outbox row (the flag outlives the commit)."""
    return bool(session.info.get(_QUEUED))
