"""The OKR desk's answer to :class:`teamassist.events.OkrFacts`: a report pack's view of the
team's published Os of one cycle (progress, confidence, scores, and on request each O's trend
and each KR's confidence at an earlier instant), as plain event dataclasses, so the reports and
1on1 domains never import OKR internals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.clock import ensure_utc
from teamassist.events import KrFact, ObjectiveFact, OkrFacts
from teamassist.okr import rollup, scoring, trends
from teamassist.okr import settings as okr_settings
from teamassist.okr.models import CheckIn, Cycle, Objective, ObjectiveState
from teamassist.okr.rows import objectives as objective_rows
from teamassist.ports import Workdays

# The trend is sampled once a week (and on the last day), enough for a chart in a document.
_TREND_STEP = 7


def _cycle(session: Session, query: OkrFacts) -> Cycle | None:
    # Read-only: a report never creates a cycle (cycles.current would).
    kind = okr_settings.of(query.team).cycle_kind
    return session.scalar(
        select(Cycle).where(
            Cycle.team_id == query.team.id,
            Cycle.kind == kind.value,
            Cycle.start_date <= query.day,
            Cycle.end_date >= query.day,
        )
    )


def _trend(
    session: Session, objective: Objective, cycle: Cycle, workdays: Workdays, day: date
) -> tuple[tuple[date, float], ...]:
    burn = trends.burn_up(session, objective=objective, cycle=cycle, workdays=workdays, today=day)
    points = [
        (d, v)
        for i, (d, v) in enumerate(zip(burn.days, burn.actual, strict=True))
        if v is not None and (i % _TREND_STEP == 0 or d == min(day, cycle.end_date))
    ]
    return tuple(points)


def confidence_at(session: Session, kr_ids: Sequence[int], at: datetime | None) -> dict[int, int]:
    """Each KR's confidence (0–10) at ``at`` (UTC): that of its latest check-in with a
    confidence at or before it; KRs without one are left out (all when ``at`` is None)."""
    if at is None or not kr_ids:
        return {}
    rows = session.execute(
        select(CheckIn.key_result_id, CheckIn.confidence)
        .where(
            CheckIn.key_result_id.in_(kr_ids),
            CheckIn.at <= ensure_utc(at),
            CheckIn.confidence.is_not(None),
        )
        .order_by(CheckIn.at, CheckIn.id)
    ).all()
    found: dict[int, int] = {}
    for kr_id, confidence in rows:  # oldest first: the latest one stays
        if confidence is not None:
            found[kr_id] = confidence
    return found


def answer(session: Session, query: OkrFacts, workdays: Workdays) -> tuple[ObjectiveFact, ...]:
    """Every published O of the cycle holding ``query.day``, by number (empty: no cycle)."""
    cycle = _cycle(session, query)
    if cycle is None:
        return ()
    found = objective_rows(
        session, team_id=query.team.id, cycle_id=cycle.id, state=ObjectiveState.PUBLISHED
    )
    _expected, views = rollup.of_cycle(
        session, team=query.team, cycle=cycle, objectives=found, workdays=workdays, today=query.day
    )
    scores = {s.objective.id: s for s in scoring.objective_scores(session, found)}
    orm = (
        {o.id: o for o in session.scalars(select(Objective).where(Objective.cycle_id == cycle.id))}
        if query.with_trend
        else {}
    )
    then = confidence_at(
        session, [k.key_result.id for v in views for k in v.krs], query.confidence_at
    )
    facts: list[ObjectiveFact] = []
    for view in views:
        objective = view.objective
        score = scores[objective.id]
        finals = {k.id: final for k, _suggested, final in score.krs}
        graded = cycle.end_date <= query.day
        facts.append(
            ObjectiveFact(
                owner_id=objective.owner_id,
                label=f"O-{objective.number}",
                title=objective.title,
                progress=view.progress,
                confidence=view.confidence,
                score=score.final if graded else None,
                key_results=tuple(
                    KrFact(
                        label=f"KR-{k.key_result.number}",
                        title=k.key_result.title,
                        progress=k.raw,
                        confidence=k.key_result.confidence,
                        score=finals[k.key_result.id] if graded else None,
                        confidence_then=then.get(k.key_result.id),
                    )
                    for k in view.krs
                ),
                trend=_trend(session, orm[objective.id], cycle, workdays, query.day)
                if objective.id in orm
                else (),
            )
        )
    return tuple(facts)
