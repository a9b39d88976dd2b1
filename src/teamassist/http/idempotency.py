"""One store of REST ``Idempotency-Key``s, keyed by the caller and the key, for every create
that honours the header (announcements, OKR objectives and key results).

A keyed request first claims its key (:func:`begin`): the row is written in the request's own
transaction before the work, so a retry sent while the first is still committing waits on the
key's unique index (PostgreSQL, MariaDB; SQLite serialises writers anyway), loses with a
duplicate key, is run again by the request retry (``http.retry``) and finds the first answer.
The work then records what it answered (:func:`finish`); a refused request rolls back with its
claim, so its key stays free. The same key with the same request again answers the first
answer (201 as the first time, ``Idempotency-Replayed: true``); with another request it is
refused (422 ``core.error.idempotency_key_reused``, naming the key and what it first made),
nothing done: the IETF Idempotency-Key draft's status for a key reused with another payload
(announcements answered so before the store), one rule for every route.

A key belongs to its caller (a member, or the workspace owner by account name): two people may
pick the same one. Keys are kept with the workspace (deleted with it) for
``retention.idempotency_days`` (default 7) after they were first sent, then swept
(:class:`IdempotencySweep`, a system job of the scheduler tick): a retry is sent within seconds
or minutes of its request, and the store would otherwise grow with every keyed create forever.
A key sent again after its sweep is a new request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Header
from fastapi.responses import JSONResponse, Response
from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from teamassist.clock import Clock
from teamassist.database import Base, UTCDateTime, transaction
from teamassist.exceptions import Invalid
from teamassist.http.auth import Principal

Answer = TypeVar("Answer")

HEADER = "Idempotency-Key"
REPLAYED = "Idempotency-Replayed"
MAX_KEY = 120

# The header as a route parameter: at most 120 characters (422 beyond, as every header field).
KeyHeader = Annotated[str | None, Header(alias=HEADER, max_length=MAX_KEY)]

# The 201 answer's header, for a route's ``responses`` (the OpenAPI page shows it).
REPLAYED_DOC: dict[int | str, dict[str, Any]] = {
    201: {
        "headers": {
            REPLAYED: {
                "description": "`true` when an Idempotency-Key retry was answered with what "
                "the first request made (nothing made again)",
                "schema": {"type": "string", "enum": ["true"]},
            }
        }
    }
}


class IdempotencyKey(Base):
    """A caller's ``Idempotency-Key`` and what the request that first sent it answered."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("workspace_id", "caller", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    # ``m<member id>``, or ``o<hash of the account name>`` for the workspace owner
    caller: Mapped[str] = mapped_column(String(40))
    # the key as :func:`stored_key` keeps it: compared exactly on every backend
    key: Mapped[str] = mapped_column(String(MAX_KEY))
    # SHA-256 (hex) of the request (route, team, body as read); NULL: a key kept from before
    # the store (an announcement's), which answers any request with it as its retry
    digest: Mapped[str | None] = mapped_column(String(64))
    # what the first request made, ``announcement:12``, ``okr.objective:7`` (database ids;
    # NULL until done), and as people name it (``#12``, ``O-3「提升交付质量」``)
    resource: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(String(120))
    # how it answered: the status and the JSON body (NULL: kept from before the store, or the
    # request still running in its own transaction)
    status: Mapped[int | None] = mapped_column(Integer)
    answer: Mapped[Any] = mapped_column(JSON, nullable=True)
    # indexed: the sweep deletes by it (core_0010)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


def stored_key(key: str) -> str:
    """How a key is stored and looked up: ``h`` and the SHA-256 (hex) of its text. A key is
    opaque, compared exactly; MariaDB's utf8mb4 collation folds case and accents, so there
    ``T28B-K1`` and ``t28b-k1`` were one key (the second refused as reused, or answered with
    the other's first answer) and two on PostgreSQL and SQLite (tester s28 E-3). Lower-case
    hex compares the same under every collation."""
    return "h" + hashlib.sha256(key.encode()).hexdigest()


def caller_of(principal: Principal) -> str:
    """Whose key it is: the member, or the owner (no member) by account name, hashed to a short
    fixed length (the global token's ``api`` and a member-less account differ)."""
    if principal.member is not None:
        return f"m{principal.member.id}"
    return "o" + hashlib.sha256(principal.username.encode()).hexdigest()[:16]


def digest_of(request: str, body: Any) -> str:
    """What a key was sent with: ``request`` (the route and what its path and query name) and
    the body as read (a pydantic model or plain data; keys sorted, so a client serialising
    the same request again in another order or spacing still retries), SHA-256 hex."""
    data = body.model_dump(mode="json") if hasattr(body, "model_dump") else body
    canonical = json.dumps(
        {"request": request, "body": data}, sort_keys=True, separators=(",", ":")
    )  # ASCII: any text
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Replay:
    """A key seen before with the same request: what the first request answered."""

    status: int | None
    answer: Any
    resource: str | None
    label: str | None = None

    def resource_id(self, kind: str) -> int | None:
        """The id of what was made, when it was a ``kind`` (``announcement``)."""
        if self.resource is None:
            return None
        found, _sep, number = self.resource.partition(":")
        return int(number) if found == kind and number.isdigit() else None

    def response(self) -> JSONResponse:
        """The first answer again, with ``Idempotency-Replayed: true``."""
        return JSONResponse(self.answer, status_code=self.status or 201, headers={REPLAYED: "true"})


@dataclass(frozen=True)
class Claim:
    """A key claimed by this request: :func:`finish` records its answer."""

    row: IdempotencyKey


def begin(
    session: Session,
    principal: Principal,
    key: str | None,
    *,
    request: str,
    body: Any,
    now: datetime,
) -> Replay | Claim | None:
    """None without a key; the first answer (:class:`Replay`) for a key this caller sent
    before with the same request; Invalid ``core.error.idempotency_key_reused`` for one sent
    with another; else the key claimed for this request (a :class:`Claim`), written now."""
    if key is None:
        return None
    caller = caller_of(principal)
    digest = digest_of(request, body)
    seen = session.scalar(
        select(IdempotencyKey)
        .where(
            IdempotencyKey.workspace_id == principal.workspace.id,
            IdempotencyKey.caller == caller,
            IdempotencyKey.key == stored_key(key),
        )
        .execution_options(populate_existing=True)
    )
    if seen is not None:
        if seen.digest is not None and seen.digest != digest:
            raise Invalid(
                "core.error.idempotency_key_reused", given=key[:MAX_KEY], first=seen.label or "?"
            )
        return Replay(seen.status, seen.answer, seen.resource, seen.label)
    row = IdempotencyKey(
        workspace_id=principal.workspace.id,
        caller=caller,
        key=stored_key(key),
        digest=digest,
        created_at=now,
    )
    session.add(row)
    # Written now: a retry of this key at once waits here until this transaction ends.
    session.flush()
    return Claim(row)


def finish(
    session: Session,
    claim: Replay | Claim | None,
    *,
    resource: str,
    label: str,
    answer: Any,
    status: int,
) -> None:
    """Record what a claimed key's request made (``resource``, and ``label`` as people name
    it) and answered (a no-op without a claim)."""
    if not isinstance(claim, Claim):
        return
    row = claim.row
    row.resource = resource[:64]
    row.label = label[:120]
    row.status = status
    row.answer = answer.model_dump(mode="json") if hasattr(answer, "model_dump") else answer
    session.flush()


@dataclass(frozen=True)
class Made(Generic[Answer]):
    """What a keyed create made: its ``answer`` (201), and the ``resource`` (``kind:id``) and
    ``label`` (as people name it) a reused key's refusal and a gone check read."""

    answer: Answer
    resource: str
    label: str


def once(
    session: Session,
    principal: Principal,
    key: str | None,
    *,
    request: str,
    body: Any,
    now: datetime,
    make: Callable[[], Made[Answer]],
    replayed: Callable[[Replay], Response] = Replay.response,
) -> Answer | Response:
    """A create that honours ``Idempotency-Key``, the one way every keyed route runs it:
    :func:`begin` (a key seen with another request: Invalid ``reused``); a retry answered by
    ``replayed`` (default: the first answer again); else ``make()`` does the work and its
    answer is recorded for the key (:func:`finish`, 201) and returned."""
    claim = begin(session, principal, key, request=request, body=body, now=now)
    if isinstance(claim, Replay):
        return replayed(claim)
    made = make()
    finish(
        session,
        claim,
        resource=made.resource,
        label=made.label,
        answer=made.answer,
        status=201,
    )
    return made.answer


def sweep(session: Session, *, now: datetime, days: int) -> int:
    """Delete every key first sent more than ``days`` days before ``now``, in one statement
    (by the ``created_at`` index); how many went."""
    gone = session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < now - timedelta(days=days))
    )
    return gone.rowcount or 0  # type: ignore[attr-defined]


class IdempotencySweep:
    """A system job for the scheduler tick (embedded or a Celery worker's): :func:`sweep` at
    most once per ``every`` in this process; run twice, the second deletes nothing."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        clock: Clock,
        *,
        days: int,
        every: timedelta = timedelta(hours=1),
    ) -> None:
        self.factory = factory
        self.clock = clock
        self.days = days
        self.every = every
        self._last: datetime | None = None

    def __call__(self) -> int | None:
        now = self.clock()
        if self._last is not None and now - self._last < self.every:
            return None
        with transaction(self.factory) as session:
            gone = sweep(session, now=now, days=self.days)
        self._last = now
        return gone
