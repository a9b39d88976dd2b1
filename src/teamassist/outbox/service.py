"""Queue notices (inside the caller's transaction) and move them through their states."""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    Table,
    Update,
    bindparam,
    case,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from teamassist import preload
from teamassist.chat.types import Reply
from teamassist.clock import ensure_utc
from teamassist.database import inserted, skipping_insert_id
from teamassist.outbox import signals
from teamassist.outbox.models import OutboxMessage, OutboxStatus

# ``last_error`` starts with this when the previous attempt may have reached the platform.
UNCERTAIN = "uncertain: "


def enqueue(
    session: Session,
    *,
    key: str,
    platform: str,
    address: str,
    reply: Reply,
    now: datetime,
    workspace_id: int | None = None,
    channel_id: int | None = None,
    reply_to: str | None = None,
    not_before: datetime | None = None,
    quiet_until: datetime | None = None,
) -> OutboxMessage | None:
    """Queue one notice; returns None when a notice with ``key`` was already queued.

    It goes at ``not_before`` (None: now), or when ``quiet_until``, the end of the receiving
    chat's quiet hours, comes later; :func:`retime_quiet` moves it when those hours change.

    In a bulk batch of scheduled jobs (:mod:`teamassist.preload`) the row is only added: the
    batch's claim already ran the occurrence once, the rows go out in one multi-row INSERT,
    and a clash on the key fails the batch, which the scheduler then runs job by job.
    """
    bulk = preload.bulk(session)
    wanted = max(now, not_before) if not_before else now
    values: dict[str, object] = {
        "idempotency_key": key[:191],
        "workspace_id": workspace_id,
        "channel_id": channel_id,
        "platform": platform,
        "address": address,
        "reply_to": reply_to,
        "payload": reply.model_dump(mode="json"),
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": max(wanted, quiet_until) if quiet_until else wanted,
        "not_before": wanted,
        "created_at": now,
    }
    if bulk:
        preload.defer_insert(session, OutboxMessage, values)
        signals.note(session, platform)  # inserted in one statement, unseen by the flush
        return _unsaved(values)
    insert = skipping_insert_id(session, OutboxMessage, "idempotency_key")
    if insert is not None:
        # One statement (a /问题反馈 spent four on its notice), through Core: the row becomes
        # an object of the session from its values, as an added one would (see ``inserted``).
        session.flush()  # as the ORM's INSERT did first (autoflush): rows it may refer to
        row_id = session.execute(insert, values).scalar()
        if row_id is None:
            return None
        signals.note(session, platform)  # inserted by a statement, unseen by the flush
        return inserted(session, OutboxMessage, values, row_id)
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)):
        return None
    row = OutboxMessage(**values)
    # A concurrent writer may queue the same key between our check and our insert; the savepoint
    # keeps the caller's transaction alive when the unique constraint says so.
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row


def retime_quiet(
    session: Session,
    *,
    workspace_id: int,
    platform: str,
    address: str,
    hold: Callable[[datetime], datetime | None],
    now: datetime,
) -> int:
    """Re-time the untried notices waiting for one chat after its quiet hours changed.

    Each goes at its ``not_before``, or later when ``hold`` (the new quiet hours: the end of the
    window around a time, or None) holds that time; clearing the hours releases what they held
    (tester F18, session 18: a cleared window still held its notice for three hours). Rows
    queued before ``not_before`` was kept, and rows already tried (a retry's back-off), are left
    as they are. Returns how many rows moved; each is updated only while still untried.
    """
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.not_before, OutboxMessage.next_attempt_at).where(
            OutboxMessage.workspace_id == workspace_id,
            OutboxMessage.platform == platform,
            OutboxMessage.address == address,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.attempts == 0,
            OutboxMessage.not_before.is_not(None),
            OutboxMessage.next_attempt_at > now,
        )
    ).all()
    moved = 0
    for row_id, not_before, next_at in rows:
        wanted = max(ensure_utc(now), ensure_utc(not_before or now))
        held = hold(wanted)
        due = max(wanted, held) if held else wanted
        if due == ensure_utc(next_at):
            continue
        done = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row_id,
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.attempts == 0,
            )
            .values(next_attempt_at=due)
            .execution_options(synchronize_session=False)
        )
        moved += int(getattr(done, "rowcount", 0))
    if moved:
        signals.note(session, platform)  # a released notice goes now: wake its lane
    return moved


def _unsaved(values: Mapping[str, object]) -> OutboxMessage:
    """A bulk batch's notice as an object outside the session (the batch inserts the row).

    Built as the ORM builds a loaded row (an empty instance, then its attributes), not through
    the constructor, whose attribute events cost a tenth of a reminder tick at 1,000 teams.
    """
    row: OutboxMessage = OutboxMessage.__mapper__.class_manager.new_instance()
    row.__dict__.update(values)
    return row


def claim_due(
    session: Session,
    *,
    now: datetime,
    lease_seconds: float,
    limit: int,
    platforms: Collection[str] | None = None,
    exclude: Collection[str] = (),
    seconds_per_notice: float = 0.0,
) -> list[int]:
    """Take up to ``limit`` due notices (or ones whose sender died mid-send) for this worker.

    ``platforms``/``exclude`` narrow the claim, so each platform can be drained by its own loop.
    The lease of a notice is ``lease_seconds`` plus ``seconds_per_notice`` for every claimed
    notice of its platform, so it covers the whole batch's work on that platform.

    Set-based: one locking SELECT, then one UPDATE per platform in the batch. The candidates are
    locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL and MariaDB; SQLite writers hold the
    database from ``BEGIN IMMEDIATE``), so two workers never claim the same notice and every
    candidate is claimed. Returns the claimed ids, oldest first.
    """
    due = or_(
        (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.lease_until < now),
    )
    query = select(OutboxMessage.id, OutboxMessage.platform).where(due)
    if platforms is not None:
        query = query.where(OutboxMessage.platform.in_(list(platforms)))
    if exclude:
        query = query.where(OutboxMessage.platform.not_in(list(exclude)))
    rows = session.execute(
        query.order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return []
    by_platform: dict[str, list[int]] = {}
    for outbox_id, platform in rows:
        by_platform.setdefault(platform, []).append(outbox_id)
    ids = [outbox_id for outbox_id, _ in rows]
    # A notice still "sending" after its lease: the process stopped mid-send, and the platform
    # may or may not have the message. Say so durably before trying again.
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(ids),
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.lease_until < now,
        )
        .values(last_error=UNCERTAIN + "the sender stopped mid-send")
        .execution_options(synchronize_session=False)
    )
    claimed = 0
    for platform_ids in by_platform.values():
        lease = now + timedelta(seconds=lease_seconds + len(platform_ids) * seconds_per_notice)
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(platform_ids), due)
            .values(
                status=OutboxStatus.SENDING,
                lease_until=lease,
                attempts=OutboxMessage.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        claimed += result.rowcount  # type: ignore[attr-defined]
    if claimed != len(ids):
        # Cannot happen while the candidates are locked; if a backend ever lets it, the whole
        # claim is rolled back rather than sending notices another worker also holds.
        raise ClaimRace(f"claimed {claimed} of {len(ids)} locked candidates")
    return ids


def claim_stored(session: Session, *, platform: str, now: datetime, limit: int) -> list[int]:
    """Lock up to ``limit`` due notices of ``platform``, a platform whose sender stores them in
    this database (``senders.StoringSender``), oldest first, and return their ids.

    One locking SELECT (``FOR UPDATE SKIP LOCKED``; SQLite's writer holds the database): the
    caller copies and records them in this same transaction, so they are never ``sending``
    and need no lease. A notice left ``sending`` by an ordinary pass that stopped is due too.
    """
    return list(session.scalars(_CLAIM_STORED, {"platform": platform, "now": now, "limit": limit}))


_DUE = or_(
    (OutboxMessage.status == OutboxStatus.PENDING)
    & (OutboxMessage.next_attempt_at <= bindparam("now")),
    (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.lease_until < bindparam("now")),
)
# Built once: a pass of the web lane runs it every time it is kicked.
_CLAIM_STORED = (
    select(OutboxMessage.id)
    .where(OutboxMessage.platform == bindparam("platform"), _DUE)
    .order_by(OutboxMessage.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)


class ClaimRace(RuntimeError):
    """Locked candidates changed under the claim (a backend without row locks)."""


def mark_sent(session: Session, *, outbox_id: int, now: datetime, external_id: str | None) -> None:
    """Record a successful delivery."""
    mark_sent_many(session, [(outbox_id, external_id)], now=now)


def mark_sent_many(
    session: Session,
    sent: Sequence[tuple[int, str | None]],
    *,
    now: datetime,
    attempted: bool = False,
) -> None:
    """Record successful deliveries ``(outbox id, platform message id)`` in one statement.

    One set UPDATE (``WHERE id IN …``, the message ids by ``CASE id``), the same on SQLite,
    PostgreSQL and MySQL. It was an executemany, one UPDATE per notice: 16 % of a scale-out
    worker's delivery samples (session 11). A notice deleted meanwhile (its workspace was) is
    simply not matched, and the others are still recorded. ``attempted``: count the attempt
    here (:func:`claim_stored`'s notices, whose claim counted none).
    """
    if not sent:
        return
    external = dict(sent)  # a repeated id (cannot happen within one pass) keeps its last
    params: dict[str, object] = {"now": now}
    for n, (outbox_id, external_id) in enumerate(external.items()):
        params[f"id_{n}"] = outbox_id
        params[f"ext_{n}"] = external_id
    session.execute(_sent_update(len(external), attempted), params)


@lru_cache(maxsize=128)
def _sent_update(size: int, attempted: bool) -> Update:
    """:func:`mark_sent_many`'s UPDATE of ``size`` notices, built once per size (a pass records
    at most 100): built per call, its ``CASE`` of literal values cost more than the rest of a
    web lane's pass (issue 9)."""
    ids = [bindparam(f"id_{n}", type_=Integer()) for n in range(size)]
    values: dict[str, Any] = {
        "status": OutboxStatus.SENT.value,
        "sent_at": bindparam("now", type_=_TABLE.c.sent_at.type),
        "external_id": case(
            *((_TABLE.c.id == ids[n], bindparam(f"ext_{n}", type_=String())) for n in range(size)),
            else_=None,
        ),
        "lease_until": None,
        "last_error": None,
    }
    if attempted:
        values["attempts"] = _TABLE.c.attempts + 1
    return update(_TABLE).where(_TABLE.c.id.in_(ids)).values(values)


_TABLE = cast(Table, OutboxMessage.__table__)


def backoff_seconds(attempts: int, *, base: float, cap: float) -> float:
    """Exponential backoff with jitter: base·2^(n-1), capped, ±20 %."""
    delay: float = min(cap, base * (2 ** max(0, attempts - 1)))  # int ** int is Any to mypy
    return delay * random.uniform(0.8, 1.2)


def mark_failed(
    session: Session,
    *,
    outbox_id: int,
    now: datetime,
    error: str,
    transient: bool,
    max_attempts: int,
    base: float,
    cap: float,
    uncertain: bool = False,
) -> str:
    """Schedule a retry for a transient failure, or give up; returns the new status.

    ``uncertain``: the platform may have taken the message (no answer); the next attempt is
    told so (see :data:`UNCERTAIN`). A rate limit is no failure: :func:`mark_waiting_many`.
    """
    row = session.get(OutboxMessage, outbox_id)
    if row is None:
        return "missing"
    # Once uncertain, a notice stays so until it is sent: a later plain failure says nothing
    # about whether the earlier try got through.
    uncertain = uncertain or (row.last_error or "").startswith(UNCERTAIN)
    row.last_error = ((UNCERTAIN if uncertain else "") + error)[:2000]
    row.lease_until = None
    if transient and row.attempts < max_attempts:
        delay = backoff_seconds(row.attempts, base=base, cap=cap)
        row.status = OutboxStatus.PENDING
        row.next_attempt_at = now + timedelta(seconds=delay)
    else:
        row.status = OutboxStatus.DEAD
    return row.status


def mark_waiting_many(
    session: Session,
    outbox_ids: Sequence[int],
    *,
    now: datetime,
    error: str,
    retry_after: float,
    uncertain: bool = False,
) -> int:
    """Put notices a rate limit held back to wait ``retry_after`` seconds, in one statement;
    returns how many were still there (a workspace deleted meanwhile takes its notices).

    A wait, not a failure: the attempt the claim counted is given back, so a long backlog
    behind a 20/min robot is delivered in full instead of going dead. ``uncertain`` as for
    :func:`mark_failed`; a notice uncertain already stays so. One set UPDATE for a lane's
    whole wait: it was a transaction per notice, and a robot's backlog of 1,000 cost as many
    on every pass (issue 9).
    """
    if not outbox_ids:
        return 0
    plain, marked = error[:2000], (UNCERTAIN + error)[:2000]
    last_error: ColumnElement[str] | str = (
        marked
        if uncertain
        else case((OutboxMessage.last_error.startswith(UNCERTAIN), marked), else_=plain)
    )
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(outbox_ids)))
        .values(
            status=OutboxStatus.PENDING,
            attempts=case((OutboxMessage.attempts > 0, OutboxMessage.attempts - 1), else_=0),
            next_attempt_at=now + timedelta(seconds=max(0.0, retry_after)),
            lease_until=None,
            last_error=last_error,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def retry(session: Session, *, outbox_id: int, now: datetime) -> bool:
    """Put a dead notice back in the queue (an admin pressed retry)."""
    row = session.get(OutboxMessage, outbox_id)
    if row is None or row.status != OutboxStatus.DEAD:
        return False
    row.status = OutboxStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = now
    return True
