"""Progress as people read it: each KR's raw progress, each O's roll-up, the working-day
expectation of the cycle, the status and the confidence.

Two shapes, one arithmetic: ``roll_up`` gives every KR's view too (lists, replies, REST), from
plain KR rows; ``summary_of_cycle`` gives only each O's figures for a whole team's cycle (the
team page), from the seven columns they need. Both go through ``_objective_figures``, so an O
reads the same in either (tests/okr/test_rollup_rows.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from teamassist.okr import formulas, rows
from teamassist.okr import settings as okr_settings
from teamassist.okr.formulas import Expectation, KrKind, Status
from teamassist.okr.models import Cycle, ProgressMode
from teamassist.okr.rows import KrFacts, KrMeasure, ObjectiveFacts
from teamassist.ports import Workdays
from teamassist.team.models import Team


@dataclass(frozen=True)
class KrProgress:
    """One KR: raw progress (may pass 1), the clamped share, and its status."""

    key_result: KrFacts
    raw: float
    status: Status

    @property
    def over(self) -> bool:
        """Over-achieved (shown, never rolled up beyond 100%)."""
        return self.raw > 1


@dataclass(frozen=True)
class ObjectiveProgress:
    """One O rolled up from its KRs."""

    objective: ObjectiveFacts
    krs: list[KrProgress]
    progress: float  # 0–1
    status: Status
    confidence: float | None  # weighted mean of the KRs' latest confidence, 0–10
    lowest_confidence: int | None  # the riskiest KR's, kept as a flag


@dataclass(frozen=True, slots=True)
class ObjectiveSummary:
    """One O's figures without its KRs' views (the team page's row)."""

    objective: ObjectiveFacts
    key_results: int  # how many KRs it rolls up
    progress: float  # 0–1
    status: Status
    confidence: float | None
    lowest_confidence: int | None


_KINDS = {kind.value: kind for kind in KrKind}  # a dict lookup, not an enum call per KR


def kr_raw(key_result: KrMeasure) -> float:
    """A KR's raw progress from its latest value."""
    return kr_raw_at(key_result, key_result.current_value)


def kr_raw_at(key_result: KrMeasure, value: float | None) -> float:
    """A KR's raw progress had its latest value been ``value`` (a past check-in's)."""
    return formulas.progress(
        _KINDS.get(key_result.kind) or KrKind(key_result.kind),
        start=key_result.start_value or 0.0,
        target=key_result.target_value if key_result.target_value is not None else 0.0,
        current=value,
    )


def objective_value(
    objective: ObjectiveFacts, raws: Sequence[float], weights: Sequence[int]
) -> float:
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


def _objective_figures(
    objective: ObjectiveFacts,
    krs: Sequence[KrMeasure],
    raws: Sequence[float],
    share: float,
    thresholds: tuple[float, float],
) -> tuple[float, Status, float | None, int | None]:
    """An O's (progress, status, confidence, lowest confidence) from its KRs and their raw
    progress; ``thresholds`` are the team's (on track, at risk)."""
    value = objective_value(objective, raws, [k.weight for k in krs])
    rated = [(k.weight, k.confidence) for k in krs if k.confidence is not None]
    on_track, at_risk = thresholds
    return (
        value,
        formulas.status(value, share, on_track=on_track, at_risk=at_risk),
        confidence_of(rated),
        min((c for _w, c in rated), default=None),
    )


def compute(
    objectives: Sequence[ObjectiveFacts],
    krs_of: Mapping[int, Sequence[KrFacts]],
    expected: Expectation,
    *,
    thresholds: tuple[float, float] = (formulas.ON_TRACK, formulas.AT_RISK),
) -> list[ObjectiveProgress]:
    """Each O's progress, status and confidence, and each KR's view, from its KRs (``krs_of``
    by O id) in plain Python: rows and ORM objects give the same result."""
    share = expected.share
    on_track, at_risk = thresholds
    result: list[ObjectiveProgress] = []
    for objective in objectives:
        krs = krs_of[objective.id]
        raws = [kr_raw(k) for k in krs]
        views = [
            KrProgress(k, raw, formulas.status(raw, share, on_track=on_track, at_risk=at_risk))
            for k, raw in zip(krs, raws, strict=True)
        ]
        value, status, confidence, lowest = _objective_figures(
            objective, krs, raws, share, thresholds
        )
        result.append(ObjectiveProgress(objective, views, value, status, confidence, lowest))
    return result


def summarise(
    objectives: Sequence[ObjectiveFacts],
    krs_of: Mapping[int, Sequence[KrMeasure]],
    expected: Expectation,
    *,
    thresholds: tuple[float, float] = (formulas.ON_TRACK, formulas.AT_RISK),
) -> list[ObjectiveSummary]:
    """Each O's figures as ``compute`` gives them, without building a view per KR."""
    result: list[ObjectiveSummary] = []
    for objective in objectives:
        krs = krs_of.get(objective.id, ())
        value, status, confidence, lowest = _objective_figures(
            objective, krs, [kr_raw(k) for k in krs], expected.share, thresholds
        )
        result.append(ObjectiveSummary(objective, len(krs), value, status, confidence, lowest))
    return result


def _thresholds(team: Team) -> tuple[float, float]:
    settings = okr_settings.of(team)
    return settings.on_track, settings.at_risk


def roll_up(
    session: Session,
    *,
    team: Team,
    objectives: Sequence[ObjectiveFacts],
    expected: Expectation,
) -> list[ObjectiveProgress]:
    """Each O's progress, status and confidence (KRs loaded as plain rows in one query)."""
    return compute(
        objectives,
        rows.key_results(session, [o.id for o in objectives]),
        expected,
        thresholds=_thresholds(team),
    )


def summary_of_cycle(
    session: Session, *, team: Team, cycle: Cycle, workdays: Workdays, today: date
) -> tuple[Expectation, list[ObjectiveSummary]]:
    """The expectation on ``today`` and every O of the team's cycle summarised, by number: two
    queries (Os, then the KRs' figures), no ORM object."""
    expected = expectation(workdays, cycle, today)
    found = rows.objectives(session, team_id=team.id, cycle_id=cycle.id)
    figures = rows.figures_of_cycle(session, team_id=team.id, cycle_id=cycle.id)
    return expected, summarise(found, figures, expected, thresholds=_thresholds(team))


def of_cycle(
    session: Session,
    *,
    team: Team,
    cycle: Cycle,
    objectives: Sequence[ObjectiveFacts],
    workdays: Workdays,
    today: date,
) -> tuple[Expectation, list[ObjectiveProgress]]:
    """The cycle's expectation on ``today`` and the roll-up of ``objectives`` against it."""
    expected = expectation(workdays, cycle, today)
    return expected, roll_up(session, team=team, objectives=objectives, expected=expected)
