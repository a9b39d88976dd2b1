"""Forget what no longer protects anything: handled inbound events and delivered notices.

An inbound event is kept long enough to drop any redelivery (Feishu retries for up to 6 hours,
QQ for minutes), a delivered notice long enough to answer "was it sent?". Pending, failed-to-send
and dead rows are never purged: they still matter to someone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from teamassist.chat.models import InboundEvent
from teamassist.clock import Clock
from teamassist.database import transaction
from teamassist.outbox.models import OutboxMessage, OutboxStatus


@dataclass
class Purged:
    """How many rows one sweep removed."""

    inbound: int
    outbox: int


def purge(session: Session, *, now: datetime, inbox_days: int, outbox_days: int) -> Purged:
    """Delete handled events and sent notices older than their retention periods."""
    inbound = session.execute(
        delete(InboundEvent).where(
            InboundEvent.status.in_(("done", "failed")),
            InboundEvent.received_at < now - timedelta(days=inbox_days),
        )
    )
    outbox = session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.SENT,
            OutboxMessage.sent_at < now - timedelta(days=outbox_days),
        )
    )
    return Purged(inbound=inbound.rowcount or 0, outbox=outbox.rowcount or 0)  # type: ignore[attr-defined]


class RetentionSweep:
    """A system job for the scheduler tick that purges at most once per ``every``."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        clock: Clock,
        *,
        inbox_days: int,
        outbox_days: int,
        every: timedelta = timedelta(hours=1),
    ) -> None:
        self.factory = factory
        self.clock = clock
        self.inbox_days = inbox_days
        self.outbox_days = outbox_days
        self.every = every
        self._last: datetime | None = None

    def __call__(self) -> Purged | None:
        now = self.clock()
        if self._last is not None and now - self._last < self.every:
            return None
        with transaction(self.factory) as session:
            purged = purge(
                session, now=now, inbox_days=self.inbox_days, outbox_days=self.outbox_days
            )
        self._last = now
        return purged
