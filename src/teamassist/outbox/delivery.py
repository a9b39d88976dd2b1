"""Deliver due notices: claim in one transaction, send outside it, record the outcome.

The claim commits ``sending`` (with a lease) before the platform is called. A notice found still
``sending`` after its lease, or one whose send timed out after the request went out, is retried
with ``possibly_sent``: senders whose platform dedupes by a key we give (Feishu ``uuid``, QQ
``msg_id`` + ``msg_seq``) simply resend; a sender without one (WeCom robots) applies its
platform's setting (resend marked as a possible repeat, or do not resend). See
docs/platforms/*.md, "Delivery guarantee".
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from teamassist.chat.types import Reply
from teamassist.config import OutboxSettings
from teamassist.database import transaction
from teamassist.outbox import service
from teamassist.outbox.models import OutboxMessage
from teamassist.outbox.senders import DeliveryError, OutgoingMessage, Sender

log = logging.getLogger(__name__)


@dataclass
class DeliveryStats:
    """What one delivery pass did."""

    sent: int = 0
    retried: int = 0  # rescheduled, rate-limited ones included
    rate_limited: int = 0  # of ``retried``: waiting for a platform's limit, no attempt spent
    dead: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_due(
    factory: sessionmaker[Session],
    senders: Mapping[str, Sender],
    settings: OutboxSettings,
    now: datetime,
    *,
    limit: int = 100,
) -> DeliveryStats:
    """Send every due notice once; failures are rescheduled with backoff."""
    stats = DeliveryStats()
    with transaction(factory) as session:
        claimed = service.claim_due(
            session, now=now, lease_seconds=settings.lease_seconds, limit=limit
        )
        rows = [session.get(OutboxMessage, i) for i in claimed]
        messages = [
            OutgoingMessage(
                outbox_id=row.id,
                platform=row.platform,
                address=row.address,
                reply=Reply.model_validate(row.payload),
                idempotency_key=row.idempotency_key,
                reply_to=row.reply_to,
                attempt=row.attempts,
                possibly_sent=(row.last_error or "").startswith(service.UNCERTAIN),
            )
            for row in rows
            if row is not None
        ]
    for message in messages:
        sender = senders.get(message.platform)
        try:
            if sender is None:
                raise DeliveryError(f"platform {message.platform!r} is not enabled")
            external_id = sender.send(message)
        except DeliveryError as exc:
            _record_failure(
                factory,
                settings,
                now,
                message,
                str(exc),
                exc.transient,
                exc.retry_after,
                stats,
                uncertain=exc.ambiguous,
            )
        except Exception as exc:  # a sender bug must not stop the batch; keep the notice
            log.exception(
                "sender for %s crashed on outbox #%s", message.platform, message.outbox_id
            )
            _record_failure(
                factory, settings, now, message, f"{type(exc).__name__}: {exc}", True, None, stats
            )
        else:
            with transaction(factory) as session:
                service.mark_sent(
                    session, outbox_id=message.outbox_id, now=now, external_id=external_id
                )
            stats.sent += 1
    return stats


def _record_failure(
    factory: sessionmaker[Session],
    settings: OutboxSettings,
    now: datetime,
    message: OutgoingMessage,
    error: str,
    transient: bool,
    retry_after: float | None,
    stats: DeliveryStats,
    *,
    uncertain: bool = False,
) -> None:
    with transaction(factory) as session:
        status = service.mark_failed(
            session,
            outbox_id=message.outbox_id,
            now=now,
            error=error,
            transient=transient,
            retry_after=retry_after,
            max_attempts=settings.max_attempts,
            base=settings.base_backoff_seconds,
            cap=settings.max_backoff_seconds,
            uncertain=uncertain,
        )
    stats.errors.append(f"#{message.outbox_id} {message.platform}: {error}")
    if retry_after is not None and status != "missing":
        # Expected under a backlog (a robot allows 20 a minute): not worth a warning each.
        stats.retried += 1
        stats.rate_limited += 1
        log.debug("outbox #%s waits %.0f s: %s", message.outbox_id, retry_after, error)
    elif status == "dead":
        stats.dead += 1
        log.error("outbox #%s gave up: %s", message.outbox_id, error)
    else:
        stats.retried += 1
        log.warning("outbox #%s will retry: %s", message.outbox_id, error)


class DeliveryWorker:
    """A background thread that delivers as soon as it is kicked, and on every interval."""

    def __init__(self, run_once: Callable[[], object], interval: float) -> None:
        self._run_once = run_once
        self._interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="outbox-delivery", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def kick(self) -> None:
        """Deliver now (called after a transaction queued notices)."""
        self._wake.set()

    def stop(self) -> None:
        """Stop after the current pass."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._run_once()
            except Exception:
                log.exception("delivery pass failed")
            self._wake.wait(self._interval)
            self._wake.clear()
