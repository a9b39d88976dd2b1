"""A reviewee's 360 summary, with the k rule applied before anything leaves the database layer.

Per (reviewee, pool) a pool is *shown* only when it holds at least the cycle's ``min_answers``
(k) responses. A pool below k yields a :class:`PoolResult` with ``shown=False`` and nothing else:
no count, no average, no text; a pool with no answers at all looks exactly the same, so the
reader cannot tell 0 from 1..k-1. Every reader (the reviewee, the director, an admin, REST,
pages, chat and the rendered documents) goes through :func:`read`, so none sees more.

The self pool is the reviewee's own view: one answer by nature, named by nature, never counted
towards k; it is shown with the summary (to the director once the cycle is closed, to the
reviewee once released).

The reader's own answer is never one of the k. A reader who answered in a pool (an admin or
the director asked as a peer, say) could subtract their own answer from what is shown and learn
the rest; so for them that pool, and each question in it, needs k answers *besides* their own
(k + 1 in all). The self pool is exempt: the reviewee already knows their own answer.

k holds per question too: a question's average and texts are shown only when that question has
at least k answers (k + 1 for a reader who answered in the pool), else it is left out with no
count, so one person answering an optional question is never singled out.

Free text is put in the order of each text's SHA-256, so the order says nothing about who wrote
first. Ratings are averages over the answers that rated that question (1–5).

Who may read: the director or an admin once the cycle is closed (not before: two looks at a
growing pool would give away the newest answer by subtraction); the reviewee once the director
released it. OKR scores are never read here.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.chat.types import user_text
from teamassist.exceptions import Conflict, PermissionDenied
from teamassist.reviews import service
from teamassist.reviews.models import (
    Pool,
    RequestStatus,
    ReviewCycle,
    ReviewRequest,
    ReviewResponse,
)
from teamassist.team.models import Member, Team

POOL_ORDER = (Pool.SELF, Pool.MANAGER, Pool.PEER, Pool.REPORT)


@dataclass(frozen=True)
class Rating:
    """One rating question in one shown pool: its average (1–5) over ``answers`` ratings."""

    key: str
    text: str
    average: float
    answers: int


@dataclass(frozen=True)
class Texts:
    """One free-text question's answers in one shown pool, in hash order."""

    key: str
    text: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class PoolResult:
    """A pool as every reader sees it; a hidden pool carries nothing but its name."""

    pool: str
    shown: bool
    answers: int | None = None
    ratings: tuple[Rating, ...] = ()
    texts: tuple[Texts, ...] = ()


@dataclass(frozen=True)
class Summary:
    """What :func:`read` returns: the cycle, whom, k, released or not, the four pools."""

    cycle: ReviewCycle
    reviewee: Member
    k: int
    released: bool
    pools: tuple[PoolResult, ...]


def text_order(text: str) -> str:
    """The sort key of a free-text answer: its SHA-256, independent of when it was written."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _pool(
    pool: Pool,
    answers: list[dict[str, Any]],
    questions: list[dict[str, Any]],
    k: int,
    *,
    own: bool = False,
) -> PoolResult:
    # own: the reader answered in this pool, so their answer cannot be one of the k
    needed = 1 if pool is Pool.SELF else k + 1 if own else k
    if len(answers) < needed:
        return PoolResult(pool.value, shown=False)
    ratings: list[Rating] = []
    texts: list[Texts] = []
    for question in questions:
        key, kind, text = str(question["key"]), question["kind"], str(question["text"])
        values = [a[key] for a in answers if key in a]
        if kind == "rating":
            numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
            if len(numbers) >= needed:
                ratings.append(
                    Rating(key, text, round(sum(numbers) / len(numbers), 2), len(numbers))
                )
        else:
            words = sorted((v for v in values if isinstance(v, str) and v), key=text_order)
            if len(words) >= needed:
                texts.append(Texts(key, text, tuple(words)))
    return PoolResult(pool.value, True, len(answers), tuple(ratings), tuple(texts))


def answered_pools(
    session: Session, *, cycle: ReviewCycle, reviewee: Member, reader: Member | None
) -> set[str]:
    """The pools of ``reviewee`` in ``cycle`` where ``reader`` has submitted an answer."""
    if reader is None:
        return set()
    return set(
        session.scalars(
            select(ReviewRequest.pool).where(
                ReviewRequest.cycle_id == cycle.id,
                ReviewRequest.reviewee_id == reviewee.id,
                ReviewRequest.reviewer_id == reader.id,
                ReviewRequest.status == RequestStatus.SUBMITTED.value,
            )
        )
    )


def compute(
    session: Session, *, cycle: ReviewCycle, reviewee: Member, reader: Member | None = None
) -> tuple[PoolResult, ...]:
    """The four pools of ``reviewee`` in ``cycle`` under the k rule as ``reader`` may see them
    (no access check: callers use :func:`read`). ``reader=None`` means someone who answered
    nowhere."""
    own = answered_pools(session, cycle=cycle, reviewee=reviewee, reader=reader)
    by_pool: dict[str, list[dict[str, Any]]] = defaultdict(list)
    rows = session.execute(
        select(ReviewResponse.pool, ReviewResponse.answers).where(
            ReviewResponse.cycle_id == cycle.id, ReviewResponse.reviewee_id == reviewee.id
        )
    ).all()
    for pool, answers in rows:
        by_pool[pool].append(dict(answers or {}))
    return tuple(
        _pool(
            pool,
            by_pool.get(pool.value, []),
            list(cycle.questions),
            cycle.min_answers,
            own=pool.value in own,
        )
        for pool in POOL_ORDER
    )


def read(
    session: Session,
    *,
    team: Team,
    cycle: ReviewCycle,
    reviewee: Member,
    reader: service.Actor | None,
    now: datetime,
) -> Summary:
    """``reviewee``'s summary for ``reader``. PermissionDenied for anyone but the director, an
    admin or the reviewee; Conflict while the cycle is open (managers) or before release (the
    reviewee); NotFound when ``reviewee`` is not reviewed in ``cycle``."""
    released = service.is_released(session, cycle=cycle, reviewee=reviewee)
    if service.may_manage(session, team=team, member=reader):
        if service.is_open(cycle, team, now):
            raise Conflict("reviews.error.still_open", name=user_text(cycle.name), due=cycle.due_on)
    elif isinstance(reader, Member) and reader.id == reviewee.id:
        if not released:
            raise Conflict("reviews.error.not_released")
    else:
        raise PermissionDenied("reviews.error.not_yours")
    # the owner answered nowhere (it is nobody), so it reads as a reader without an answer
    member = reader if isinstance(reader, Member) else None
    pools = compute(session, cycle=cycle, reviewee=reviewee, reader=member)
    return Summary(cycle, reviewee, cycle.min_answers, released, pools)
