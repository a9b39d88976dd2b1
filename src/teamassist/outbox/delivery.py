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
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from teamassist import metrics
from teamassist.chat.types import Reply
from teamassist.config import OutboxSettings
from teamassist.database import transaction
from teamassist.outbox import service
from teamassist.outbox.models import OutboxMessage
from teamassist.outbox.senders import (
    BatchSender,
    DeliveryError,
    OutgoingMessage,
    Sender,
    StoringSender,
)

log = logging.getLogger(__name__)

# Outcomes of a pass recorded together (all its lanes): at most this many successes, held at most
# this long.
_RECORD_EVERY = 50
_RECORD_WITHIN = 0.05


@dataclass
class DeliveryStats:
    """What one delivery pass did."""

    sent: int = 0
    retried: int = 0  # rescheduled, rate-limited ones included
    rate_limited: int = 0  # of ``retried``: waiting for a platform's limit, no attempt spent
    dead: int = 0
    claimed: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def drained(self, limit: int) -> bool:
        """True when another pass now would find little: a short batch, or only waits."""
        return self.claimed < limit or self.rate_limited >= self.claimed


@dataclass(frozen=True)
class _Wait:
    """A lane's notices a rate limit holds back: the one it refused and those behind it."""

    platform: str
    outbox_ids: list[int]
    error: str
    retry_after: float
    uncertain: bool


class _Recorder:
    """The outcomes of one pass that need no decision per notice, recorded in groups shared by
    all its lanes: the successes, and the notices a rate limit holds back.

    One transaction for up to ``_RECORD_EVERY`` successes and every wait noted meanwhile, never
    holding one longer than ``_RECORD_WITHIN`` seconds. Per lane, a group was mostly one or two
    notices (a batch of 100 spread over 50 chats) and a commit per one or two notices was the
    largest cost after the HTTP call itself; a robot at its limit put back each waiting notice
    in a transaction of its own (issue 9: 1,000 of them behind a 20/min robot, on every pass),
    now one statement per lane's wait. A crash between a send and its record leaves at most one
    group "sending"; its lease runs out and it is retried as possibly sent, as after any crash
    mid-send (and as every claimed notice not yet tried: a wait held here is no worse off).
    """

    def __init__(self, factory: sessionmaker[Session], now: datetime, stats: DeliveryStats):
        self._factory = factory
        self._now = now
        self._stats = stats
        self._lock = threading.Lock()
        self._done: list[tuple[int, str | None]] = []
        self._waits: list[_Wait] = []
        self._first = 0.0

    def add(self, outbox_id: int, external_id: str | None) -> None:
        """Note one success; write the group when it is full or old enough."""
        with self._lock:
            self._start()
            self._done.append((outbox_id, external_id))
            group = self._take() if self._due() else None
        self._write(group)

    def wait(self, wait: _Wait) -> None:
        """Note a lane's notices held back by a rate limit; written with the group they join
        (a wait counts no success toward a full group: it is one statement however long)."""
        with self._lock:
            self._start()
            self._waits.append(wait)
            group = self._take() if self._due() else None
        self._write(group)

    def flush(self) -> None:
        """Write whatever is held (the end of a lane or of the pass)."""
        with self._lock:
            group = self._take()
        self._write(group)

    def _start(self) -> None:
        if not self._done and not self._waits:
            self._first = time.monotonic()

    def _due(self) -> bool:
        return len(self._done) >= _RECORD_EVERY or time.monotonic() - self._first >= _RECORD_WITHIN

    def _take(self) -> tuple[list[tuple[int, str | None]], list[_Wait]]:
        group = self._done, self._waits
        self._done, self._waits = [], []
        return group

    def _write(self, group: tuple[list[tuple[int, str | None]], list[_Wait]] | None) -> None:
        if group is None or group == ([], []):
            return
        done, waits = group
        waiting = []
        with transaction(self._factory) as session:
            service.mark_sent_many(session, done, now=self._now)
            for wait in waits:
                waiting.append(
                    service.mark_waiting_many(
                        session,
                        wait.outbox_ids,
                        now=self._now,
                        error=wait.error,
                        retry_after=wait.retry_after,
                        uncertain=wait.uncertain,
                    )
                )
        with self._stats.lock:
            self._stats.sent += len(done)
            for wait, still_there in zip(waits, waiting, strict=True):
                self._stats.retried += still_there
                self._stats.rate_limited += still_there
                self._stats.errors += [
                    f"#{n} {wait.platform}: {wait.error}" for n in wait.outbox_ids
                ]
        for wait in waits:
            # Expected under a backlog (a robot allows 20 a minute): not worth a warning each.
            log.debug(
                "outbox #%s wait %.0f s: %s",
                ", #".join(map(str, wait.outbox_ids)),
                wait.retry_after,
                wait.error,
            )


def deliver_due(
    factory: sessionmaker[Session],
    senders: Mapping[str, Sender],
    settings: OutboxSettings,
    now: datetime,
    *,
    limit: int = 100,
    platforms: Collection[str] | None = None,
    exclude: Collection[str] = (),
) -> DeliveryStats:
    """Send every due notice once; failures are rescheduled with backoff.

    One lane per destination (platform, address) keeps a destination's notices in order; lanes
    run concurrently, at most ``settings.lanes_per_platform`` per platform, so a slow or
    timing-out platform holds up only its own lanes.

    The pass of one platform whose sender stores the notices in this database (the web feeds,
    ``senders.StoringSender``) claims, copies and records them in one transaction
    (:func:`_store_due`); should that fail, this pass runs as any other platform's.
    """
    if platforms is not None and len(platforms) == 1 and not exclude:
        platform = next(iter(platforms))
        sender = senders.get(platform)
        if isinstance(sender, StoringSender):
            try:
                return _store_due(factory, sender, platform, now, limit)
            except Exception as exc:
                log.warning("storing pass of %s failed (%s): delivered as usual", platform, exc)
    stats = DeliveryStats()
    with transaction(factory) as session:
        # The lease covers the work: a notice may wait behind every other one of its platform
        # in this batch (counted as if sent one at a time), each up to the longest send.
        claimed = service.claim_due(
            session,
            now=now,
            lease_seconds=settings.lease_seconds,
            limit=limit,
            platforms=platforms,
            exclude=exclude,
            seconds_per_notice=settings.send_seconds_max,
        )
        rows = (
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.id.in_(claimed))
                .order_by(OutboxMessage.id)
            ).all()
            if claimed
            else []
        )
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
        ]
    stats.claimed = len(messages)
    lanes: dict[tuple[str, str], list[OutgoingMessage]] = defaultdict(list)
    for message in messages:
        lanes[(message.platform, message.address)].append(message)
    pools: dict[str, ThreadPoolExecutor] = {}
    recorder = _Recorder(factory, now, stats)
    # A platform whose sender takes a batch gets its notices at once, in order, in one call.
    batches: dict[str, list[list[OutgoingMessage]]] = defaultdict(list)
    try:
        futures = []
        for (platform, _address), lane in lanes.items():
            sender = senders.get(platform)
            if isinstance(sender, BatchSender):
                batches[platform].append(lane)
                continue
            if platform not in pools:
                pools[platform] = ThreadPoolExecutor(
                    max_workers=settings.lanes_per_platform, thread_name_prefix=f"outbox-{platform}"
                )
            futures.append(
                pools[platform].submit(
                    _send_lane, factory, sender, settings, now, lane, stats, recorder
                )
            )
        for platform, batch in batches.items():
            sender = senders[platform]
            assert isinstance(sender, BatchSender)
            _send_batch(factory, sender, settings, now, batch, stats, recorder)
        for future in futures:
            future.result()
    finally:
        for pool in pools.values():
            pool.shutdown(wait=True)
        recorder.flush()
    return stats


def _store_due(
    factory: sessionmaker[Session],
    sender: StoringSender,
    platform: str,
    now: datetime,
    limit: int,
) -> DeliveryStats:
    """One pass of a storing platform's lane: claim, copy and record in one transaction.

    Three statements however many notices (the claim's locking SELECT, the copies' INSERT …
    SELECT, the record's UPDATE), where the ordinary pass ran three transactions, an entity
    read and a ``Reply`` made and dumped per notice and an INSERT per notice: 0.63 ms of
    thread CPU per /问题反馈 web notice in passes of ten on PostgreSQL (issue 9). A rollback
    takes the copies with it, so a notice is copied exactly once whatever stops the pass.
    """
    with transaction(factory) as session:
        claimed = service.claim_stored(session, platform=platform, now=now, limit=limit)
        stored = sender.store_claimed(session, claimed, now) if claimed else []
        service.mark_sent_many(session, stored, now=now, attempted=True)
    for _ in stored:
        metrics.sent(platform)
    return DeliveryStats(sent=len(stored), claimed=len(claimed))


def _send_batch(
    factory: sessionmaker[Session],
    sender: BatchSender,
    settings: OutboxSettings,
    now: datetime,
    lanes: list[list[OutgoingMessage]],
    stats: DeliveryStats,
    recorder: _Recorder,
) -> None:
    """Send the pass's notices of a batch-taking platform (the web feeds) in one call: one
    transaction for all, not one each (issue 9). Should the batch fail, each destination's
    notices are sent one by one as any platform's are, and every failure is recorded as usual.
    """
    messages = [message for lane in lanes for message in lane]
    try:
        external_ids = sender.send_many(messages)
    except Exception as exc:
        log.info(
            "batch of %d %s notices failed (%s): sent one by one",
            len(messages),
            sender.platform,
            exc,
        )
        for lane in lanes:
            _send_lane(factory, sender, settings, now, lane, stats, recorder)
        return
    for message, external_id in zip(messages, external_ids, strict=True):
        metrics.sent(message.platform)
        recorder.add(message.outbox_id, external_id)


def _send_lane(
    factory: sessionmaker[Session],
    sender: Sender | None,
    settings: OutboxSettings,
    now: datetime,
    lane: list[OutgoingMessage],
    stats: DeliveryStats,
    recorder: _Recorder,
) -> None:
    """Send one destination's notices in order; once it is rate-limited, the rest wait too.

    Successes and the wait go to the pass's shared ``recorder``; failures are recorded one by
    one (they are rare, and each needs its own backoff).
    """
    for position, message in enumerate(lane):
        try:
            if sender is None:
                raise DeliveryError(
                    f"platform {message.platform!r} is not enabled", code="disabled"
                )
            external_id = sender.send(message)
        except DeliveryError as exc:
            metrics.platform_error(message.platform, error_code(exc))
            if exc.retry_after is not None:
                # Same destination, same limit: the rest of the lane is not asked this pass.
                recorder.wait(
                    _Wait(
                        platform=message.platform,
                        outbox_ids=[m.outbox_id for m in lane[position:]],
                        error=str(exc),
                        retry_after=exc.retry_after,
                        uncertain=exc.ambiguous,
                    )
                )
                return
            _record_failure(
                factory,
                settings,
                now,
                message,
                str(exc),
                exc.transient,
                stats,
                uncertain=exc.ambiguous,
            )
        except Exception as exc:  # a sender bug must not stop the batch; keep the notice
            log.exception(
                "sender for %s crashed on outbox #%s", message.platform, message.outbox_id
            )
            metrics.platform_error(message.platform, "crash")
            _record_failure(
                factory, settings, now, message, f"{type(exc).__name__}: {exc}", True, stats
            )
        else:
            metrics.sent(message.platform)
            recorder.add(message.outbox_id, external_id)


def error_code(exc: DeliveryError) -> str:
    """The metrics label of a failed send: the platform's code, else the kind of failure."""
    if exc.code is not None and str(exc.code):
        return str(exc.code)
    if exc.retry_after is not None:
        return "rate_limited"
    if exc.ambiguous:
        return "ambiguous"
    return "transient" if exc.transient else "permanent"


def _record_failure(
    factory: sessionmaker[Session],
    settings: OutboxSettings,
    now: datetime,
    message: OutgoingMessage,
    error: str,
    transient: bool,
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
            max_attempts=settings.max_attempts,
            base=settings.base_backoff_seconds,
            cap=settings.max_backoff_seconds,
            uncertain=uncertain,
        )
    with stats.lock:
        stats.errors.append(f"#{message.outbox_id} {message.platform}: {error}")
        if status == "dead":
            stats.dead += 1
        else:
            stats.retried += 1
    if status == "dead":
        log.error("outbox #%s gave up: %s", message.outbox_id, error)
    else:
        log.warning("outbox #%s will retry: %s", message.outbox_id, error)


class DeliveryWorker:
    """Background loops that deliver as soon as kicked, and on every interval.

    Each loop (one per platform, so a slow platform's pass never holds up another's) runs again
    at once after a full batch and sleeps only when its last pass found less than a full batch
    or nothing but rate-limited notices.

    ``gather``: seconds a kicked loop lets pass since its last pass started before it claims
    again. A kick after a quiet spell is served at once; kicks in a busy stream (a command per
    few milliseconds, each queueing a notice) share a pass instead of each paying for its own
    claim and record transactions (issue 9: at ~100 /问题反馈 a second, passes of one or two
    notices each cost the server about a millisecond of CPU per command). A notice waits at
    most ``gather`` longer; a full batch still runs again at once.
    """

    def __init__(
        self,
        run_once: Callable[[], object] | Sequence[Callable[[], object]],
        interval: float,
        *,
        batch: int = 100,
        lanes: Sequence[str] | None = None,
        gather: float = 0.0,
    ) -> None:
        passes = list(run_once) if isinstance(run_once, Sequence) else [run_once]
        self._interval = interval
        self._gather = gather
        self._batch = batch
        # The platform each pass delivers (``""``: the notices of platforms no sender here
        # handles), so a kick wakes only the loops of what was queued; None: every loop.
        self._lanes = list(lanes) if lanes is not None else None
        if self._lanes is not None and len(self._lanes) != len(passes):
            raise ValueError("one lane name per pass")
        self._stop = threading.Event()
        self._wakes = [threading.Event() for _ in passes]
        self._threads = [
            threading.Thread(
                target=self._loop, args=(run, wake), name=f"outbox-delivery-{n}", daemon=True
            )
            for n, (run, wake) in enumerate(zip(passes, self._wakes, strict=True))
        ]

    def start(self) -> None:
        """Start the loops."""
        for thread in self._threads:
            thread.start()

    def kick(self, platforms: Collection[str] | None = None) -> None:
        """Deliver now (called after a transaction queued notices for ``platforms``; None:
        unknown, every loop wakes). Only the loops of those platforms wake: each other one
        would have spent an empty claim (a transaction) per command (issue 9). A notice of a
        platform no sender here handles wakes nothing: sent now it could only fail
        ("not enabled") and spend an attempt; its loop still passes every interval."""
        if platforms is None or self._lanes is None:
            for wake in self._wakes:
                wake.set()
            return
        for lane, wake in zip(self._lanes, self._wakes, strict=True):
            if lane and lane in platforms:
                wake.set()

    def stop(self) -> None:
        """Stop after the current passes."""
        self._stop.set()
        self.kick()
        for thread in self._threads:
            thread.join(timeout=10)

    def _loop(self, run_once: Callable[[], object], wake: threading.Event) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                stats = run_once()
            except Exception:
                log.exception("delivery pass failed")
                stats = None
            if isinstance(stats, DeliveryStats) and not stats.drained(self._batch):
                continue  # a full batch: there is likely more, go again at once
            if wake.wait(self._interval) and self._gather > 0:
                # Kicked: let the kicks of a busy stream gather (see the class docstring).
                rest = self._gather - (time.monotonic() - started)
                if rest > 0:
                    self._stop.wait(rest)
            wake.clear()
