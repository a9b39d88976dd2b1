"""The seam between the outbox and the platforms: one :class:`Sender` per platform."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from sqlalchemy.orm import Session

from teamassist.chat.types import Reply


@dataclass(frozen=True)
class OutgoingMessage:
    """What a sender gets: where to, what, and the key it may pass on as platform dedupe id."""

    outbox_id: int
    platform: str
    address: str
    reply: Reply
    idempotency_key: str
    reply_to: str | None = None
    attempt: int = 1
    # An earlier attempt may have reached the platform (it timed out after sending, or the
    # process stopped mid-send): a sender without a platform dedupe key decides what to do.
    possibly_sent: bool = False


UNREACHABLE = "unreachable"  # DeliveryError.kind: the platform gave no usable answer
CREDENTIALS = "credentials"  # DeliveryError.kind: the platform refused the app's id/secret


class DeliveryError(Exception):
    """A send failed; ``transient`` errors are retried, permanent ones are not.

    ``retry_after`` means "rate-limited: come back then" (a platform's 429 or quota code, or a
    local limiter): the notice waits without spending an attempt and never goes dead for it.

    ``ambiguous``: the request went out but no answer came (a read timeout): the platform may
    have taken the message. The retry then carries ``possibly_sent``.

    ``code``: the platform's error code (or HTTP status) when it gave one.

    ``kind``: what went wrong, for a caller that must tell causes apart without reading the
    message: :data:`UNREACHABLE` (no usable answer: connection refused, timeout, a gateway
    page), :data:`CREDENTIALS` (the platform refused the app's own id/secret, so no token), or
    "" (the platform answered with an error of its own; see ``code``).
    """

    def __init__(
        self,
        message: str,
        *,
        transient: bool = True,
        retry_after: float | None = None,
        ambiguous: bool = False,
        code: int | str | None = None,
        kind: str = "",
    ):
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after
        self.ambiguous = ambiguous
        # The platform's own error code or HTTP status, when it gave one (counted in metrics).
        self.code = code
        self.kind = kind


class Sender(Protocol):
    """Delivers one message to one platform destination; returns the platform's message id."""

    platform: str

    def send(self, message: OutgoingMessage) -> str | None:
        """Send ``message`` or raise :class:`DeliveryError`."""
        ...


@runtime_checkable
class BatchSender(Sender, Protocol):
    """A sender that can take a whole pass's notices of its platform at once: a local platform
    that stores them (the web feeds) does it in one transaction instead of one per notice."""

    def send_many(self, messages: Sequence[OutgoingMessage]) -> list[str | None]:
        """Send every one of ``messages`` or none (raise); their ids, in the same order."""
        ...


@runtime_checkable
class StoringSender(BatchSender, Protocol):
    """A sender whose platform is a table of this database (the web feeds): a pass of its own
    lane copies the due notices there in the transaction that claims them, and marks them sent
    in it (``outbox.delivery``). Nothing is called outside the database, so no lease is needed:
    a crash rolls the claim, the copies and the record back together."""

    def store_claimed(
        self, session: Session, outbox_ids: Sequence[int], now: datetime
    ) -> list[tuple[int, str]]:
        """Copy the claimed notices ``outbox_ids`` in ``session``, each once (a copy stored by
        an earlier attempt is kept), straight from their outbox rows; return ``(outbox id,
        platform message id)`` of each notice that now has its copy."""
        ...
