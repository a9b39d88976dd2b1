"""REST shapes of ``/api/v1/okr/retros``: the retrospective as read, and what may be written."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from teamassist.http.fields import Id, RequestBody
from teamassist.okr.retros import MAX_TEXT, CarriedOver, RetroView
from teamassist.okr.rollup import kr_raw


class RetroUpdate(RequestBody):
    """Replace "what worked" / "what did not" (either or both)."""

    went_well: str | None = Field(default=None, max_length=MAX_TEXT)
    to_improve: str | None = Field(default=None, max_length=MAX_TEXT)


class CarryOverCreate(RequestBody):
    """Copy an unfinished KR of an ended cycle into the next cycle as a draft KR."""

    key_result_id: Id


class RetroKeyResult(BaseModel):
    """One KR of the retrospective: its score and its check-in history in short."""

    id: int
    ref: str
    title: str
    progress: float  # raw, may pass 1
    suggested: float
    score: float
    check_ins: int
    first_value: float | None
    last_value: float | None
    last_date: date | None
    last_confidence: int | None


class RetroRead(BaseModel):
    """One objective's retrospective."""

    objective_id: int
    ref: str
    title: str
    cycle: str
    okr_type: str
    owner_id: int | None
    suggested: float
    score: float
    key_results: list[RetroKeyResult]
    went_well: str
    to_improve: str
    follow_up: str | None
    carry_over: list[int]  # ids of unfinished KRs not carried yet
    carried: list[dict[str, int]]  # [{"from": KR id, "to": the draft KR id}]
    acknowledged_by_id: int | None
    acknowledged_at: datetime | None


class CarriedRead(BaseModel):
    """What a carry-over created."""

    key_result_id: int
    ref: str
    objective_id: int
    objective_ref: str
    cycle: str
    created_objective: bool


def retro_read(view: RetroView) -> RetroRead:
    """The read shape of a retrospective."""
    krs = []
    for key_result, suggested, final in view.score.krs:
        rows = view.history.get(key_result.id, [])
        krs.append(
            RetroKeyResult(
                id=key_result.id,
                ref=f"KR-{key_result.number}",
                title=key_result.title,
                progress=kr_raw(key_result),
                suggested=suggested,
                score=final,
                check_ins=len(rows),
                first_value=rows[0].value if rows else None,
                last_value=rows[-1].value if rows else None,
                last_date=rows[-1].local_date if rows else None,
                last_confidence=rows[-1].confidence if rows else None,
            )
        )
    retro = view.retro
    return RetroRead(
        objective_id=view.objective.id,
        ref=f"O-{view.objective.number}",
        title=view.objective.title,
        cycle=view.cycle.key,
        okr_type=view.objective.okr_type,
        owner_id=view.objective.owner_id,
        suggested=view.score.suggested,
        score=view.score.final,
        key_results=krs,
        went_well=retro.went_well,
        to_improve=retro.to_improve,
        follow_up=retro.follow_up,
        carry_over=[k.id for k in view.proposals],
        carried=[dict(entry) for entry in retro.carried or []],
        acknowledged_by_id=retro.acknowledged_by_id,
        acknowledged_at=retro.acknowledged_at,
    )


def carried_read(done: CarriedOver) -> CarriedRead:
    """The read shape of a carry-over."""
    return CarriedRead(
        key_result_id=done.key_result.id,
        ref=f"KR-{done.key_result.number}",
        objective_id=done.objective.id,
        objective_ref=f"O-{done.objective.number}",
        cycle=done.cycle.key,
        created_objective=done.created_objective,
    )
