"""Did this transaction queue a notice, and for which platforms? Boundaries kick delivery only
when it did, and only for those platforms' lanes (a nudge per lane costs a broker message and a
worker's claim query in scale-out mode)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from teamassist.outbox.models import OutboxMessage

_QUEUED = "teamassist.outbox_queued"
_PLATFORMS = "teamassist.outbox_platforms"

# What a boundary calls after its commit: the platforms whose notices it queued, or None when
# it cannot tell (then every lane is woken).
AfterCommit = Callable[[Collection[str] | None], None]


def nothing_after_commit(_platforms: Collection[str] | None = None) -> None:
    """An :data:`AfterCommit` for boundaries built without a delivery worker (tests, CLI)."""


@event.listens_for(Session, "after_flush")
def _note_queued(session: Session, _context: Any) -> None:
    for row in session.new:
        if isinstance(row, OutboxMessage):
            note(session, row.platform)


def note(session: Session, platform: str) -> None:
    """Record that ``session`` queued a notice for ``platform`` (the flush listener does it for
    ORM rows; a bulk batch's rows, inserted in one statement, are noted when queued)."""
    session.info[_QUEUED] = True
    session.info.setdefault(_PLATFORMS, set()).add(platform)


def queued(session: Session) -> bool:
    """True once a flush of ``session`` inserted an outbox row (the flag outlives the commit)."""
    return bool(session.info.get(_QUEUED))


def queued_platforms(session: Session) -> frozenset[str]:
    """The platforms of the notices ``session`` queued (empty when none; outlives the commit)."""
    return frozenset(session.info.get(_PLATFORMS, ()))
