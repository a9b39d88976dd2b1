"""The OKR arithmetic, free of storage: progress, roll-ups, expectation, status and scores.

Symbols follow ``shared/research/anchors-okr.md`` (d): ``s`` start, ``t`` target, ``c`` current,
``w`` weight in whole percent. Progress is kept raw (over-achievement and moving the wrong way
stay visible) and clamped to [0, 1] only where it is rolled up or scored.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from teamassist.ports import Workdays


class KrKind(StrEnum):
    """How a key result is measured."""

    INCREASE = "increase"
    DECREASE = "decrease"
    STAY_ABOVE = "stay_above"  # satisfied while c >= t (inclusive)
    STAY_BELOW = "stay_below"  # satisfied while c <= t (inclusive)
    BINARY = "binary"  # 0 not done, 1 done
    MILESTONE = "milestone"  # c milestones of t reached


class Status(StrEnum):
    """Progress against the working-day expectation."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"


LINEAR_KINDS = frozenset({KrKind.INCREASE, KrKind.DECREASE, KrKind.MILESTONE})
PASS_FAIL_KINDS = frozenset({KrKind.STAY_ABOVE, KrKind.STAY_BELOW, KrKind.BINARY})

# Defaults of the team settings ``okr.on_track`` / ``okr.at_risk`` (shares of the expectation).
ON_TRACK = 0.95
AT_RISK = 0.75


def progress(kind: KrKind, *, start: float, target: float, current: float | None) -> float:
    """Raw progress of one key result; 0 before the first check-in.

    Linear kinds use ``(c − s)/(t − s)``, which reads either direction (a falling count from 50
    to 10 at 30 is 0.5); it may exceed 1 (over-achieved) or fall below 0 (moved backwards).
    """
    if current is None:
        return 0.0
    if kind is KrKind.STAY_ABOVE:
        return 1.0 if current >= target else 0.0
    if kind is KrKind.STAY_BELOW:
        return 1.0 if current <= target else 0.0
    if kind is KrKind.BINARY:
        return 1.0 if current >= 1 else 0.0
    if target == start:  # refused on entry; never divide by zero on old rows
        return 0.0
    return (current - start) / (target - start)


# A check-in of a linear KR may land at most this many spans (target − start) away from the
# start, either way: −1000% to 1000% progress. Beyond that it is a typo (a sign, zeros), not
# news: a margin aimed from 1% to 3% that fell to −5% is −300%, a count of defects aimed from
# 50 to 10 reported as −1,000,000 would be 2,500,125%.
PROGRESS_BOUND = 10.0


def progress_bounds(*, start: float, target: float) -> tuple[float, float]:
    """The lowest and highest check-in value of a linear KR (see ``PROGRESS_BOUND``)."""
    ends = (start - PROGRESS_BOUND * (target - start), start + PROGRESS_BOUND * (target - start))
    return min(ends), max(ends)


def num(value: float | None) -> str:
    """A value as people write it, never in scientific notation: ``30``, ``12.5``,
    ``1000000``, ``-0.05`` (four decimals at most); ``-`` when unknown."""
    if value is None:
        return "-"
    if not math.isfinite(value):  # refused on entry; shown as typed in the refusal
        return "NaN" if math.isnan(value) else ("∞" if value > 0 else "-∞")
    if value == int(value):
        return str(int(value))
    shown = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if shown == "-0" else shown


def clamp(value: float) -> float:
    """``value`` within [0, 1], as roll-ups and scores use it."""
    return min(1.0, max(0.0, value))


def weighted(values: Sequence[float], weights: Sequence[int]) -> float:
    """``Σw·clamp(p)/Σw``; the plain mean when every weight is 0; 0 for nothing."""
    if not values:
        return 0.0
    clamped = [clamp(v) for v in values]
    total = sum(weights)
    if total <= 0:
        return sum(clamped) / len(clamped)
    return sum(w * v for w, v in zip(weights, clamped, strict=True)) / total


def mean(values: Sequence[float]) -> float:
    """The plain mean of the clamped values (the "equal" roll-up); 0 for nothing."""
    return sum(clamp(v) for v in values) / len(values) if values else 0.0


def even_split(count: int, total: int = 100) -> list[int]:
    """``total`` split over ``count`` items in whole numbers by largest remainder (34/33/33)."""
    return largest_remainder([1.0] * count, total)


def largest_remainder(shares: Sequence[float], total: int = 100) -> list[int]:
    """Whole numbers proportional to ``shares`` that add up to exactly ``total``.

    Each gets the floor of its quota; the units left go to the largest remainders, earlier
    items first on ties (so an even split of 100 in three is 34/33/33, never 33/33/34).
    """
    if not shares:
        return []
    whole = sum(shares)
    quotas = [total * s / whole if whole > 0 else total / len(shares) for s in shares]
    floors = [int(q) for q in quotas]
    left = total - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


@dataclass(frozen=True)
class Expectation:
    """Where progress should be by now: working days done of the cycle's working days."""

    share: float
    done: int
    total: int
    provisional_years: tuple[int, ...]  # years counted Monday–Friday (no official data)


def expected(workdays: Workdays, *, start: date, end: date, today: date) -> Expectation:
    """The share of the cycle's working days completed before ``today`` (0 on its first day,
    1 once it has ended); holidays and 调休 come from ``workdays``."""
    total = done = 0
    day = start
    while day <= end:
        if workdays.is_workday(day):
            total += 1
            if day < today:
                done += 1
        day += timedelta(days=1)
    years = tuple(y for y in range(start.year, end.year + 1) if not workdays.is_official(y))
    if today > end:
        return Expectation(1.0, total, total, years)
    share = done / total if total else 0.0
    return Expectation(share, done, total, years)


def status(
    actual: float, expected_share: float, *, on_track: float = ON_TRACK, at_risk: float = AT_RISK
) -> Status:
    """On track at ``on_track·E`` or more, at risk from ``at_risk·E``, else off track."""
    value = clamp(actual)
    if value >= on_track * expected_share:
        return Status.ON_TRACK
    if value >= at_risk * expected_share:
        return Status.AT_RISK
    return Status.OFF_TRACK


def one_decimal(value: float) -> float:
    """``value`` rounded half up to one decimal (0.25 → 0.3; Python's round gives 0.2)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def suggested_kr_score(kind: KrKind, raw_progress: float) -> float:
    """The KR score to suggest: 0 or 1 for pass/fail kinds, else progress clamped, one decimal."""
    if kind in PASS_FAIL_KINDS:
        return 1.0 if raw_progress >= 1 else 0.0
    return one_decimal(clamp(raw_progress))


def suggested_objective_score(scores: Sequence[float], weights: Sequence[int]) -> float:
    """``round(Σw·score/Σw, 1)`` (the plain mean when no weights are set)."""
    return one_decimal(weighted(scores, weights))


def is_score(value: float) -> bool:
    """A score is 0–1 with at most one decimal."""
    return 0 <= value <= 1 and Decimal(repr(value)) == Decimal(repr(value)).quantize(Decimal("0.1"))
