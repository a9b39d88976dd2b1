"""Progress as people read it: each KR's raw progress, each O's roll-up, the working-day
expectation of the cycle, the status and the confidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from teamassist.okr import formulas
from teamassist.okr import settings as okr_settings
from teamassist.okr.formulas import Expectation, KrKind, Status
from teamassist.okr.models import Cycle, KeyResult, Objective, ProgressMode
from teamassist.okr.objectives import key_results
from teamassist.ports import Workdays
from teamassist.team.models import Team


@dataclass(frozen=True)
class KrProgress:
    """One KR: raw progress (may pass 1), the clamped share, and its status."""

    key_result: KeyResult
    raw: float
    status: Status

    @property
    def over(self) -> bool:
        """Over-achieved (shown, never rolled up beyond 100%)."""
        return self.raw > 1


@dataclass(frozen=True)
class ObjectiveProgress:
    """One O rolled up from its KRs."""

    objective: Objective
    krs: list[KrProgress]
    progress: float  # 0–1
    status: Status
    confidence: float | None  # weighted mean of the KRs' latest confidence, 0–10
    lowest_confidence: int | None  # the riskiest KR's, kept as a flag


def kr_raw(key_result: KeyResult) -> float:
    """A KR's raw progress from its latest value."""
    return kr_raw_at(key_result, key_result.current_value)


def kr_raw_at(key_result: KeyResult, value: float | None) -> float:
    """A KR's raw progress had its latest value been ``value`` (a past check-in's)."""
    return formulas.progress(
        KrKind(key_result.kind),
        start=key_result.start_value or 0.0,
        target=key_result.target_value if key_result.target_value is not None else 0.0,
        current=value,
    )


def objective_value(objective: Objective, raws: Sequence[float], weights: Sequence[int]) -> float:
    """An O's progress (0–1) from its KRs' raw progress, by the O's roll-up mode."""
    if objective.progress_mode == ProgressMode.MEAN.value:
        return formulas.mean(raws)
    return formulas.weighted(raws, weights)


def confidence_of(rated: Sequence[tuple[int, int]]) -> float | None:
    """The weighted mean (0–10) of ``(weight, confidence)`` pairs; None when none is rated."""
    if not rated:
        return None
    return formulas.weighted([c / 10 for _w, c in rated], [w for w, _c in rated]) * 10


def expectation(workdays: Workdays, cycle: Cycle, today: date) -> Expectation:
    """The cycle's expected share on ``today`` in working days."""
    return formulas.expected(workdays, start=cycle.start_date, end=cycle.end_date, today=today)


def roll_up(
    session: Session,
    *,
    team: Team,
    objectives: Sequence[Objective],
    expected: Expectation,
) -> list[ObjectiveProgress]:
    """Each O's progress, status and confidence (KRs loaded in one query)."""
    settings = okr_settings.of(team)
    by_objective = key_results(session, [o.id for o in objectives])
    result: list[ObjectiveProgress] = []
    for objective in objectives:
        krs = by_objective[objective.id]
        views = []
        for key_result in krs:
            raw = kr_raw(key_result)
            views.append(
                KrProgress(
                    key_result,
                    raw,
                    formulas.status(
                        raw, expected.share, on_track=settings.on_track, at_risk=settings.at_risk
                    ),
                )
            )
        value = objective_value(objective, [v.raw for v in views], [k.weight for k in krs])
        rated = [(k.weight, k.confidence) for k in krs if k.confidence is not None]
        confidence = confidence_of(rated)
        result.append(
            ObjectiveProgress(
                objective=objective,
                krs=views,
                progress=value,
                status=formulas.status(
                    value, expected.share, on_track=settings.on_track, at_risk=settings.at_risk
                ),
                confidence=confidence,
                lowest_confidence=min((c for _w, c in rated), default=None),
            )
        )
    return result


def of_cycle(
    session: Session,
    *,
    team: Team,
    cycle: Cycle,
    objectives: Sequence[Objective],
    workdays: Workdays,
    today: date,
) -> tuple[Expectation, list[ObjectiveProgress]]:
    """The cycle's expectation on ``today`` and the roll-up of ``objectives`` against it."""
    expected = expectation(workdays, cycle, today)
    return expected, roll_up(session, team=team, objectives=objectives, expected=expected)
