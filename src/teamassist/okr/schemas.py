"""REST shapes of the OKR desk: requests with their bounds, and read shapes with their mappers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from teamassist.chat.types import plain_text
from teamassist.http.fields import Id, RequestBody
from teamassist.okr import cycles
from teamassist.okr.formulas import Expectation, KrKind
from teamassist.okr.models import CheckIn, Cycle, CycleKind, ObjectiveType
from teamassist.okr.objectives import MAX_TITLE, MAX_UNIT
from teamassist.okr.people import KEY_RESULT, OBJECTIVE, People
from teamassist.okr.rollup import KrProgress, ObjectiveProgress

MAX_TEXT = 2000
Handle = Annotated[str, Field(min_length=1, max_length=64)]


class CycleCreate(RequestBody):
    """A cycle by rule: ``{"kind": "quarter", "year": 2026, "quarter": 4}`` (or ``half``,
    ``month``, or ``index``); the year's other cycles are generated with it."""

    kind: CycleKind = CycleKind.QUARTER
    year: int = Field(ge=2000, le=2100)
    index: int | None = Field(default=None, ge=1, le=12)
    half: int | None = Field(default=None, ge=1, le=2)
    quarter: int | None = Field(default=None, ge=1, le=4)
    month: int | None = Field(default=None, ge=1, le=12)

    def part(self) -> int:
        """Which half, quarter or month (1 for a year)."""
        return self.index or self.quarter or self.half or self.month or 1


class CycleRead(BaseModel):
    """One cycle and its state on the team's local date."""

    id: int
    team_id: int
    key: str
    kind: str
    year: int
    index: int
    parent_id: int | None
    start_date: date
    end_date: date
    grading_until: date
    state: str
    closed_at: datetime | None


def cycle_read(cycle: Cycle, today: date) -> CycleRead:
    return CycleRead(
        id=cycle.id,
        team_id=cycle.team_id,
        key=cycle.key,
        kind=cycle.kind,
        year=cycle.year,
        index=cycle.index,
        parent_id=cycle.parent_id,
        start_date=cycle.start_date,
        end_date=cycle.end_date,
        grading_until=cycle.grading_until,
        state=cycles.state(cycle, today).value,
        closed_at=cycle.closed_at,
    )


class ObjectiveCreate(RequestBody):
    """A draft O; ``cycle`` is a key such as ``2026Q4`` (default: the current one)."""

    title: str = Field(min_length=1, max_length=MAX_TITLE)
    cycle: str | None = Field(default=None, max_length=16)
    okr_type: ObjectiveType = ObjectiveType.COMMITTED
    owner: str | None = Field(default=None, max_length=64)  # a handle or name; admins only
    contributors: list[Handle] | None = Field(default=None, max_length=50)


class ObjectivePatch(RequestBody):
    """Change an O: title, type, the KR weights in KR order (which must total 100), the owner
    and the contributors (handles or names, as chat reads ``@name``; ``[]`` removes them all)."""

    title: str | None = Field(default=None, min_length=1, max_length=MAX_TITLE)
    okr_type: ObjectiveType | None = None
    weights: list[int] | None = Field(default=None, max_length=50)
    owner: str | None = Field(default=None, max_length=64)
    contributors: list[Handle] | None = Field(default=None, max_length=50)


class KeyResultPatch(RequestBody):
    """Change a KR's owner and contributors (handles or names; ``[]`` removes them all)."""

    owner: str | None = Field(default=None, max_length=64)
    contributors: list[Handle] | None = Field(default=None, max_length=50)


class KeyResultCreate(RequestBody):
    """A KR; ``kind`` None infers increase or decrease from start and target."""

    title: str = Field(min_length=1, max_length=MAX_TITLE)
    kind: KrKind | None = None
    start: float | None = None
    target: float | None = None
    unit: str = Field(default="", max_length=MAX_UNIT)
    weight: int = Field(default=0, ge=-1000, le=1000)  # the service says what is wrong
    milestones: list[str] = Field(default_factory=list, max_length=50)
    owner: str | None = Field(default=None, max_length=64)  # handle or name; default: O's owner
    contributors: list[Handle] | None = Field(default=None, max_length=50)


class CheckInCreate(RequestBody):
    """A KR's new value, confidence 0–10 and a comment."""

    value: float
    confidence: int | None = Field(default=None, ge=-1000, le=1000)
    comment: str = Field(default="", max_length=MAX_TEXT)


class ScoreSet(RequestBody):
    """A score 0–1 with one decimal, as text or number; a reason when it differs from the
    suggestion."""

    score: str = Field(min_length=1, max_length=10)
    reason: str | None = Field(default=None, max_length=1000)


class AlignmentCreate(RequestBody):
    """An O (``objective``) or KR (``key_result``) contributes to the O ``parent_id``."""

    child_type: str = Field(pattern="^(objective|key_result)$")
    child_id: Id
    parent_id: Id


class PersonRead(BaseModel):
    """A contributor: id, display name, and whether they have left."""

    id: int
    name: str | None
    left: bool


def person_reads(people: People, kind: str, target_id: int) -> list[PersonRead]:
    return [
        PersonRead(id=i, name=people.name(i), left=people.left(i))
        for i in people.of(kind, target_id)
    ]


class KeyResultRead(BaseModel):
    """One KR with its latest value, raw progress (may pass 1) and status."""

    id: int
    ref: str
    objective_id: int
    title: str
    kind: str
    start: float | None
    target: float | None
    unit: str
    weight: int
    owner_id: int | None
    owner_name: str | None
    owner_left: bool  # the owner has left the team: the KR needs a new one
    contributors: list[PersonRead]
    current: float | None
    confidence: int | None
    progress: float
    over_achieved: bool
    status: str
    last_checkin_at: datetime | None
    score: float | None
    score_reason: str | None


def key_result_read(item: KrProgress, people: People | None = None) -> KeyResultRead:
    kr = item.key_result
    people = people or People()
    return KeyResultRead(
        id=kr.id,
        ref=f"KR-{kr.number}",
        objective_id=kr.objective_id,
        title=plain_text(kr.title),
        kind=kr.kind,
        start=kr.start_value,
        target=kr.target_value,
        unit=kr.unit,
        weight=kr.weight,
        owner_id=kr.owner_id,
        owner_name=people.name(kr.owner_id),
        owner_left=people.left(kr.owner_id),
        contributors=person_reads(people, KEY_RESULT, kr.id),
        current=kr.current_value,
        confidence=kr.confidence,
        progress=item.raw,
        over_achieved=item.over,
        status=item.status.value,
        last_checkin_at=kr.last_checkin_at,
        score=kr.score,
        score_reason=kr.score_reason,
    )


class ObjectiveRead(BaseModel):
    """One O with its KRs, weighted progress (0–1), status and confidence."""

    id: int
    ref: str
    team_id: int
    cycle: str
    title: str
    owner_id: int | None
    owner_name: str | None
    owner_left: bool  # the owner has left the team: flagged, never dropped
    contributors: list[PersonRead]
    okr_type: str
    state: str
    progress: float
    status: str
    confidence: float | None
    lowest_confidence: int | None
    weights_total: int
    score: float | None
    score_reason: str | None
    key_results: list[KeyResultRead]


def objective_read(view: ObjectiveProgress, cycle: Cycle, people: People) -> ObjectiveRead:
    objective = view.objective
    return ObjectiveRead(
        id=objective.id,
        ref=f"O-{objective.number}",
        team_id=objective.team_id,
        cycle=cycle.key,
        title=plain_text(objective.title),
        owner_id=objective.owner_id,
        owner_name=people.name(objective.owner_id),
        owner_left=people.left(objective.owner_id),
        contributors=person_reads(people, OBJECTIVE, objective.id),
        okr_type=objective.okr_type,
        state=objective.state,
        progress=view.progress,
        status=view.status.value,
        confidence=view.confidence,
        lowest_confidence=view.lowest_confidence,
        weights_total=sum(k.key_result.weight for k in view.krs),
        score=objective.score,
        score_reason=objective.score_reason,
        key_results=[key_result_read(k, people) for k in view.krs],
    )


class ObjectiveList(BaseModel):
    """A cycle's Os and the expectation they are measured against."""

    cycle: CycleRead
    expected: float
    workdays_done: int
    workdays_total: int
    provisional_years: list[int]
    objectives: list[ObjectiveRead]


def objective_list(
    cycle: Cycle,
    today: date,
    expected: Expectation,
    views: list[ObjectiveProgress],
    people: People,
) -> ObjectiveList:
    return ObjectiveList(
        cycle=cycle_read(cycle, today),
        expected=expected.share,
        workdays_done=expected.done,
        workdays_total=expected.total,
        provisional_years=list(expected.provisional_years),
        objectives=[objective_read(v, cycle, people) for v in views],
    )


class CheckInRead(BaseModel):
    """One check-in."""

    id: int
    key_result_id: int
    author_id: int | None
    value: float
    confidence: int | None
    comment: str
    at: datetime
    local_date: date
    late: bool


def check_in_read(row: CheckIn) -> CheckInRead:
    return CheckInRead(
        id=row.id,
        key_result_id=row.key_result_id,
        author_id=row.author_id,
        value=row.value,
        confidence=row.confidence,
        comment=row.comment,
        at=row.at,
        local_date=row.local_date,
        late=row.late,
    )


class ScoreRead(BaseModel):
    """Suggested and final scores of an O and its KRs."""

    objective_id: int
    ref: str
    state: str  # "draft" or "published": only published Os make the cycle's score
    suggested: float
    final: float
    reason: str | None
    key_results: list[dict[str, object]]


class CycleScores(BaseModel):
    """The cycle's score and each O's (drafts included, with ``state``)."""

    cycle: str
    # the mean of the published Os' final scores, one decimal; null while none is published
    score: float | None
    objectives: list[ScoreRead]


class AlignmentRead(BaseModel):
    """One alignment."""

    id: int
    child_type: str
    child_id: int
    parent_id: int


class AlignmentReportRead(BaseModel):
    """Os of a cycle without a parent, without support, whose owner left; and the links."""

    cycle: str
    unaligned: list[str]
    unsupported: list[str]
    orphaned: list[str]
    links: list[str]
