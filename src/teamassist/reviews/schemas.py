"""Read shapes of the 360 desk (REST): none carries a reviewer next to an answer, or a time of
submission."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from teamassist.reviews.summary import PoolResult, Summary


class CycleRead(BaseModel):
    """A cycle as listed; ``open`` while answers are taken."""

    id: int
    name: str
    due_on: date
    open: bool
    min_answers: int
    reviewees: list[int]


class RequestRead(BaseModel):
    """A request as the director sees it: who, whom, pool, status (no time, no answer);
    ``decline_reason`` only in the director's view."""

    id: int
    reviewee_id: int
    reviewer_id: int
    pool: str
    status: str
    decline_reason: str | None = None


class PoolCountRead(BaseModel):
    """How many of one reviewee's pool were asked (invited or submitted) and have submitted."""

    reviewee_id: int
    pool: str
    asked: int
    submitted: int


class RequestsRead(BaseModel):
    """The requests listing: rows with the status the reader may see (``asked`` hides
    invited-vs-submitted from all but the reviewer) and, for the director, counts per pool."""

    requests: list[RequestRead]
    counts: list[PoolCountRead]


class PendingRead(BaseModel):
    """A review the signed-in member still owes."""

    cycle_id: int
    reviewee_id: int
    reviewee: str
    pool: str
    due_on: date


class RatingRead(BaseModel):
    """One rating question's average (1–5) in a shown pool."""

    key: str
    text: str
    average: float
    answers: int


class TextsRead(BaseModel):
    """One free-text question's answers in a shown pool, in hash order."""

    key: str
    text: str
    answers: list[str]


class PoolRead(BaseModel):
    """A pool; when ``shown`` is false every other field is empty (below k)."""

    pool: str
    shown: bool
    answers: int | None
    ratings: list[RatingRead]
    texts: list[TextsRead]


class SummaryRead(BaseModel):
    """``GET /api/v1/reviews/360/{cycle}/summary/{person}``."""

    cycle_id: int
    reviewee_id: int
    reviewee: str
    k: int
    released: bool
    pools: list[PoolRead]


def pool_read(result: PoolResult) -> PoolRead:
    """A pool result as JSON."""
    return PoolRead(
        pool=result.pool,
        shown=result.shown,
        answers=result.answers,
        ratings=[
            RatingRead(key=r.key, text=r.text, average=r.average, answers=r.answers)
            for r in result.ratings
        ],
        texts=[TextsRead(key=x.key, text=x.text, answers=list(x.answers)) for x in result.texts],
    )


def summary_read(summary: Summary) -> SummaryRead:
    """A summary as JSON."""
    return SummaryRead(
        cycle_id=summary.cycle.id,
        reviewee_id=summary.reviewee.id,
        reviewee=summary.reviewee.display_name,
        k=summary.k,
        released=summary.released,
        pools=[pool_read(p) for p in summary.pools],
    )
