"""Os and KRs as plain rows for reading: the columns a roll-up, a list or a page shows, loaded
by a Core select into frozen dataclasses instead of ORM objects.

Why: a 200-person team's cycle is 600 Os and 2,400 KRs; building that many ORM objects (identity
map, instance state, the milestones JSON decoded on every row) took most of a roll-up's time
(issue 12: 773 ms at load 12 against a 50 ms target). Rows carry the same attribute names as the
models, so code that only reads takes either (the ``ObjectiveFacts`` / ``KrFacts`` protocols);
anything that changes an O or KR still loads the ORM object.

Each KR's latest value and confidence are kept on the KR by ``checkins.check_in``, so a roll-up
reads no check-in rows at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from teamassist.okr.models import KeyResult, Objective, ObjectiveState

_O = Objective.__table__.c
_K = KeyResult.__table__.c


class ObjectiveFacts(Protocol):
    """What reading an O needs; an ``Objective`` and an ``ObjectiveRow`` both have it."""

    @property
    def id(self) -> int: ...
    @property
    def team_id(self) -> int: ...
    @property
    def cycle_id(self) -> int: ...
    @property
    def number(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def owner_id(self) -> int | None: ...
    @property
    def okr_type(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def progress_mode(self) -> str: ...
    @property
    def score(self) -> float | None: ...
    @property
    def score_reason(self) -> str | None: ...


class KrMeasure(Protocol):
    """What an O's progress is rolled up from: a KR's kind, values, weight and confidence."""

    @property
    def kind(self) -> str: ...
    @property
    def start_value(self) -> float | None: ...
    @property
    def target_value(self) -> float | None: ...
    @property
    def weight(self) -> int: ...
    @property
    def current_value(self) -> float | None: ...
    @property
    def confidence(self) -> int | None: ...


class KrFacts(KrMeasure, Protocol):
    """What reading a KR needs; a ``KeyResult`` and a ``KrRow`` both have it."""

    @property
    def id(self) -> int: ...
    @property
    def objective_id(self) -> int: ...
    @property
    def number(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def owner_id(self) -> int | None: ...
    @property
    def last_checkin_at(self) -> datetime | None: ...
    @property
    def score(self) -> float | None: ...
    @property
    def score_reason(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ObjectiveRow:
    """An O as read (see ``ObjectiveFacts``)."""

    id: int
    team_id: int
    cycle_id: int
    number: int
    title: str
    owner_id: int | None
    okr_type: str
    state: str
    progress_mode: str
    score: float | None
    score_reason: str | None


@dataclass(frozen=True, slots=True)
class KrRow:
    """A KR as read (see ``KrFacts``)."""

    id: int
    objective_id: int
    number: int
    title: str
    kind: str
    start_value: float | None
    target_value: float | None
    unit: str
    weight: int
    owner_id: int | None
    current_value: float | None
    confidence: int | None
    last_checkin_at: datetime | None
    score: float | None
    score_reason: str | None


class KrFigures(NamedTuple):
    """A KR's figures an O's progress is rolled up from, and nothing else (a ``KrMeasure``)."""

    objective_id: int
    kind: str
    start_value: float | None
    target_value: float | None
    weight: int
    current_value: float | None
    confidence: int | None


_OBJECTIVE_COLUMNS = [_O[name] for name in ObjectiveRow.__slots__]
_KR_COLUMNS = [_K[name] for name in KrRow.__slots__]
_FIGURE_COLUMNS = [_K[name] for name in KrFigures._fields]


def objectives(
    session: Session,
    *,
    team_id: int,
    cycle_id: int,
    owner_id: int | None = None,
    state: ObjectiveState | None = None,
) -> list[ObjectiveRow]:
    """The team's Os of a cycle as rows (optionally one owner's, one state), by number; the
    same Os and order as ``objectives.objectives``."""
    session.flush()  # a Core select does not autoflush: pending changes must be seen
    query: Select[Any] = select(*_OBJECTIVE_COLUMNS).where(
        _O.team_id == team_id, _O.cycle_id == cycle_id
    )
    if owner_id is not None:
        query = query.where(_O.owner_id == owner_id)
    if state is not None:
        query = query.where(_O.state == state.value)
    return [ObjectiveRow(*row) for row in session.execute(query.order_by(_O.number))]


def key_results(session: Session, objective_ids: Sequence[int]) -> dict[int, list[KrRow]]:
    """The KRs of each O as rows, in position order, in one query; the same KRs and order as
    ``objectives.key_results``."""
    found: dict[int, list[KrRow]] = {i: [] for i in objective_ids}
    if not objective_ids:
        return found
    session.flush()
    query = (
        select(*_KR_COLUMNS)
        .where(_K.objective_id.in_(list(found)))
        .order_by(_K.objective_id, _K.position, _K.id)
    )
    for row in session.execute(query):
        found[row[1]].append(KrRow(*row))
    return found


def figures_of_cycle(
    session: Session, *, team_id: int, cycle_id: int
) -> dict[int, list[KrFigures]]:
    """Every KR's figures of the team's cycle by O id, in position order, in one query (the
    Os picked by a subquery, not by thousands of bound ids)."""
    session.flush()
    query = (
        select(*_FIGURE_COLUMNS)
        .where(
            _K.objective_id.in_(select(_O.id).where(_O.team_id == team_id, _O.cycle_id == cycle_id))
        )
        .order_by(_K.objective_id, _K.position, _K.id)
    )
    found: dict[int, list[KrFigures]] = {}
    for row in session.execute(query).all():
        found.setdefault(row[0], []).append(KrFigures(*row))
    return found
