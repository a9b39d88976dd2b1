"""What the OKR dashboard draws: an O's burn-up (the working-day expectation against its
progress day by day), its confidence trend, each KR's check-in freshness, and the spread of a
cycle's scores.

Every figure comes from the functions the chat replies and REST use (``rollup``, ``scoring``),
replayed over the O's check-ins; the pages and their charts only show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.clock import local
from teamassist.okr import rollup, scoring
from teamassist.okr.models import CheckIn, Cycle, KeyResult, Objective
from teamassist.okr.objectives import key_results
from teamassist.ports import Workdays

# Score buckets of the distribution: 0.0, 0.1 … 1.0.
SCORE_BUCKETS = tuple(i / 10 for i in range(11))


@dataclass(frozen=True)
class BurnUp:
    """An O's progress and the cycle's expectation on every day of the cycle."""

    days: list[date]
    # Both at the end of each day: the working-day expectation once that day is done (0–1),
    # and the O's progress after that day's check-ins (None after today).
    expected: list[float]
    actual: list[float | None]
    provisional_years: tuple[int, ...]


@dataclass(frozen=True)
class ConfidenceTrend:
    """Confidence (0–10) on each day someone checked in: each KR's latest, and the O's."""

    days: list[date]
    objective: list[float | None]
    key_results: list[tuple[KeyResult, list[int | None]]]


@dataclass(frozen=True)
class Freshness:
    """How long ago a KR was last checked in, counted to ``as_of``."""

    key_result: KeyResult
    last: date | None
    days: int | None  # None: never checked in
    stale: bool


def _check_ins(session: Session, krs: Sequence[KeyResult]) -> list[CheckIn]:
    if not krs:
        return []
    return list(
        session.scalars(
            select(CheckIn)
            .where(CheckIn.key_result_id.in_([k.id for k in krs]))
            .order_by(CheckIn.local_date, CheckIn.at, CheckIn.id)
        )
    )


def _key_results(session: Session, objective: Objective) -> list[KeyResult]:
    return key_results(session, [objective.id])[objective.id]


def burn_up(
    session: Session, *, objective: Objective, cycle: Cycle, workdays: Workdays, today: date
) -> BurnUp:
    """The O's burn-up over its cycle, as of the end of each day: the expectation (what
    ``/进展`` says the next morning, so the last day reaches 100%) and the O's progress
    replayed from its check-ins up to ``today``."""
    krs = _key_results(session, objective)
    rows = _check_ins(session, krs)
    weights = [k.weight for k in krs]
    values: dict[int, float] = {}
    days: list[date] = []
    expected: list[float] = []
    actual: list[float | None] = []
    provisional: tuple[int, ...] = ()
    at = 0
    day = cycle.start_date
    while day <= cycle.end_date:
        expectation = rollup.expectation(workdays, cycle, day + timedelta(days=1))
        provisional = expectation.provisional_years
        days.append(day)
        expected.append(expectation.share)
        if day > today:
            actual.append(None)
        else:
            while at < len(rows) and rows[at].local_date <= day:
                values[rows[at].key_result_id] = rows[at].value
                at += 1
            raws = [rollup.kr_raw_at(k, values.get(k.id)) for k in krs]
            actual.append(rollup.objective_value(objective, raws, weights))
        day += timedelta(days=1)
    return BurnUp(days, expected, actual, provisional)


def confidence_trend(session: Session, *, objective: Objective) -> ConfidenceTrend:
    """Each KR's latest confidence and the O's weighted confidence on every check-in day."""
    krs = _key_results(session, objective)
    rows = [r for r in _check_ins(session, krs) if r.confidence is not None]
    days = sorted({r.local_date for r in rows})
    latest: dict[int, int] = {}
    per_kr: dict[int, list[int | None]] = {k.id: [] for k in krs}
    overall: list[float | None] = []
    at = 0
    for day in days:
        while at < len(rows) and rows[at].local_date <= day:
            confidence = rows[at].confidence
            assert confidence is not None
            latest[rows[at].key_result_id] = confidence
            at += 1
        for k in krs:
            per_kr[k.id].append(latest.get(k.id))
        overall.append(
            rollup.confidence_of([(k.weight, latest[k.id]) for k in krs if k.id in latest])
        )
    return ConfidenceTrend(days, overall, [(k, per_kr[k.id]) for k in krs])


def as_of(cycle: Cycle, today: date) -> date:
    """The day freshness is counted to: today, or the cycle's last day once it has ended."""
    return min(today, cycle.end_date)


def freshness(
    krs: Sequence[KeyResult], *, cycle: Cycle, today: date, timezone: str, checkin_days: int
) -> list[Freshness]:
    """Days since each KR's last check-in (to :func:`as_of`); ``checkin_days`` or more (the
    team's ``okr.checkin_days``, as the reminders count), or never checked in, is stale."""
    until = as_of(cycle, today)
    found = []
    for k in krs:
        last = _local_day(k.last_checkin_at, timezone)
        days = (until - last).days if last is not None else None
        found.append(Freshness(k, last, days, days is None or days >= checkin_days))
    return found


def _local_day(moment: datetime | None, timezone: str) -> date | None:
    return local(moment, timezone).date() if moment is not None else None


@dataclass(frozen=True)
class ScoreSpread:
    """How many Os and KRs got each score 0.0 … 1.0 (final scores), and the cycle's."""

    buckets: tuple[float, ...]
    objectives: list[int]
    key_results: list[int]
    cycle_score: float | None


def score_spread(scores: Sequence[scoring.ObjectiveScore]) -> ScoreSpread:
    """Count the final scores of :func:`scoring.objective_scores` into tenths."""
    objectives = [0] * len(SCORE_BUCKETS)
    key_results = [0] * len(SCORE_BUCKETS)
    for entry in scores:
        objectives[round(entry.final * 10)] += 1
        for _kr, _suggested, final in entry.krs:
            key_results[round(final * 10)] += 1
    return ScoreSpread(SCORE_BUCKETS, objectives, key_results, scoring.cycle_score(scores))
