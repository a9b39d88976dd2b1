"""The prep pack of a 1on1: the other person's OKRs (each objective's progress now and at the
last 1on1, its KRs' progress and confidence), their overdue action items and their career
plan's development goals, asked of the OKR desk (:class:`OkrFacts`), the action-item desk
(:class:`ActionFacts`) and the careers desk (:class:`CareerGoals`). Only the pair's two
people are shown a pack (:func:`teamassist.one_on_ones.flows.view`).

The movement is the objective's progress (its trend, by day) and each KR's confidence: its
latest check-in's now against the one it had when the last 1on1 started (the desk's
``confidence_then``), shown ``信心 6 → 4``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from teamassist.clock import local
from teamassist.events import (
    ActionFact,
    ActionFacts,
    CareerGoals,
    GoalFact,
    ObjectiveFact,
    OkrFacts,
    ask,
)
from teamassist.team.models import Member, Team


@dataclass(frozen=True)
class ObjectiveMove:
    """One objective of the person: progress 0–1 now and at ``since`` (None: no trend then)."""

    fact: ObjectiveFact
    before: float | None


@dataclass(frozen=True)
class Prep:
    """What the other side should know before the 1on1: ``since`` the last one's local date."""

    person_id: int
    since: date | None
    objectives: tuple[ObjectiveMove, ...]
    overdue: tuple[ActionFact, ...]
    goals: tuple[GoalFact, ...] = ()


def _at(trend: tuple[tuple[date, float], ...], day: date) -> float | None:
    before = [value for when, value in trend if when <= day]
    return before[-1] if before else None


def build(
    session: Session,
    *,
    team: Team,
    person_id: int,
    viewer: Member,
    since: datetime | None,
    now: datetime,
) -> Prep:
    """The prep pack on ``person_id`` as ``viewer`` may see it (``since``: the last 1on1's
    start, UTC); career goals only when the careers desk lets ``viewer`` read the plan."""
    today = local(now, team.timezone).date()
    since_day = local(since, team.timezone).date() if since is not None else None
    objectives: list[ObjectiveMove] = []
    okr = OkrFacts(team=team, day=today, now=now, with_trend=True, confidence_at=since)
    for answer in ask(session, okr):
        for fact in answer:
            if fact.owner_id != person_id:
                continue
            before = _at(fact.trend, since_day) if since_day is not None else None
            objectives.append(ObjectiveMove(fact=fact, before=before))
    overdue: list[ActionFact] = []
    window = ActionFacts(team=team, since=now - timedelta(days=1), until=now, now=now)
    for facts in ask(session, window):
        overdue.extend(f for f in facts if f.owner_id == person_id and f.overdue)
    goals: list[GoalFact] = []
    person = session.get(Member, person_id)
    if person is not None:
        for found in ask(session, CareerGoals(team=team, member=person, now=now, asker=viewer)):
            goals.extend(found)
    return Prep(
        person_id=person_id,
        since=since_day,
        objectives=tuple(objectives),
        overdue=tuple(sorted(overdue, key=lambda f: f.due_at)),
        goals=tuple(goals),
    )
