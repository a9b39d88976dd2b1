"""Scores, 0–1 with one decimal on KRs, Os and the cycle; suggested from progress, overridden
only with a reason. A score is a judgement at the end, not the progress figure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from teamassist.exceptions import Conflict, Invalid
from teamassist.okr import cycles, formulas, rows
from teamassist.okr.formulas import KrKind, num
from teamassist.okr.models import Cycle, CycleState, KeyResult, Objective, ObjectiveState
from teamassist.okr.rollup import kr_raw
from teamassist.okr.rows import KrFacts, KrMeasure, ObjectiveFacts
from teamassist.team.models import Team
from teamassist.team.names import clean_text

MAX_REASON = 1000


def parse_score(text: str) -> float:
    """A score as typed: 0–1 with at most one decimal (``0.8``, ``1``); Invalid otherwise."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise Invalid("okr.error.score_range", value=text[:20]) from exc
    if not value.is_finite() or not 0 <= value <= 1 or value != value.quantize(Decimal("0.1")):
        raise Invalid("okr.error.score_range", value=text[:20])
    return float(value)


def suggested_kr(key_result: KrMeasure) -> float:
    """The KR score the desk suggests from its progress."""
    return formulas.suggested_kr_score(KrKind(key_result.kind), kr_raw(key_result))


def kr_score(key_result: KrFacts) -> float:
    """The KR's score: the override when set, else the suggestion."""
    return key_result.score if key_result.score is not None else suggested_kr(key_result)


@dataclass(frozen=True)
class ObjectiveScore:
    """An O's KR scores, its suggested score and the final one."""

    objective: ObjectiveFacts
    krs: list[tuple[KrFacts, float, float]]  # (KR, suggested, final)
    suggested: float
    final: float


def objective_scores(
    session: Session, objectives: Sequence[ObjectiveFacts]
) -> list[ObjectiveScore]:
    """Each O's scores (KRs loaded as plain rows in one query)."""
    by_objective = rows.key_results(session, [o.id for o in objectives])
    result = []
    for objective in objectives:
        krs = by_objective[objective.id]
        scored: list[tuple[KrFacts, float, float]] = [
            (k, suggested_kr(k), kr_score(k)) for k in krs
        ]
        suggested = formulas.suggested_objective_score(
            [final for _k, _s, final in scored], [k.weight for k in krs]
        )
        final = objective.score if objective.score is not None else suggested
        result.append(ObjectiveScore(objective, scored, suggested, final))
    return result


def cycle_score(scores: Sequence[ObjectiveScore]) -> float | None:
    """The mean of the published Os' final scores, one decimal; None without a published O.

    A draft never published is not part of the cycle's result: counted, 28 drafts at 0.0 held
    a cycle whose one published O scored 0.7 at 0.0 (tester s29 F-11)."""
    published = [s.final for s in scores if s.objective.state == ObjectiveState.PUBLISHED.value]
    if not published:
        return None
    return formulas.one_decimal(sum(published) / len(published))


def _scorable(session: Session, team: Team, cycle_id: int, now: datetime) -> None:
    cycle = session.get(Cycle, cycle_id)
    assert cycle is not None
    state = cycles.state(cycle, cycles.today_of(team, now))
    if state is CycleState.CLOSED:
        raise Conflict(
            "okr.error.cycle_closed",
            cycle=cycle.key,
            closed=cycles.month_day(cycles.closed_on(cycle, team.timezone)),
        )
    if state is CycleState.PLANNING:
        raise Conflict(
            "okr.error.cycle_not_started", cycle=cycle.key, start=cycles.month_day(cycle.start_date)
        )


def _reason(value: float, suggested: float, reason: str | None) -> str | None:
    # clean_text: a reason of nothing visible (U+200B, a lone U+202E) is no reason (tester
    # s29 F-7: REST stored "\u200b" as the reason of a score off the suggestion)
    text = clean_text(reason or "")
    if len(text) > MAX_REASON:
        raise Invalid("okr.error.comment_too_long", limit=MAX_REASON)
    if value != suggested and not text:
        raise Invalid("okr.error.score_needs_reason", value=num(value), suggested=num(suggested))
    return text or None


def score_key_result(
    session: Session,
    *,
    team: Team,
    key_result: KeyResult,
    value: float,
    reason: str | None,
    now: datetime,
) -> KeyResult:
    """Set a KR's score; one that differs from the suggestion needs a reason."""
    _scorable(session, team, key_result.cycle_id, now)
    if not formulas.is_score(value):
        raise Invalid("okr.error.score_range", value=num(value))
    key_result.score_reason = _reason(value, suggested_kr(key_result), reason)
    key_result.score = value
    session.flush()
    return key_result


def score_objective(
    session: Session,
    *,
    team: Team,
    objective: Objective,
    value: float,
    reason: str | None,
    now: datetime,
) -> Objective:
    """Set an O's score; one that differs from the suggestion needs a reason."""
    _scorable(session, team, objective.cycle_id, now)
    if not formulas.is_score(value):
        raise Invalid("okr.error.score_range", value=num(value))
    objective.score = None
    session.flush()
    suggested = objective_scores(session, [objective])[0].suggested
    objective.score_reason = _reason(value, suggested, reason)
    objective.score = value
    session.flush()
    return objective
