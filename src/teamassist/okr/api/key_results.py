"""``/api/v1/okr/key-results``: one KR, its check-ins, its score; deleting a draft one."""

from __future__ import annotations

from datetime import datetime

from fastapi import status
from sqlalchemy.orm import Session

from teamassist.exceptions import NotFound
from teamassist.http.deps import Id, NowDep, PrincipalDep, RuntimeDep, SessionDep, WorkspaceTeamDep
from teamassist.okr import checkins, cycles, scoring
from teamassist.okr import objectives as okr
from teamassist.okr.api.base import editable_key_result, listing, resource_router, set_people
from teamassist.okr.schemas import (
    CheckInCreate,
    CheckInRead,
    KeyResultPatch,
    KeyResultRead,
    ScoreSet,
    check_in_read,
)
from teamassist.runtime import Runtime
from teamassist.team.models import Team

router = resource_router()


def _read(
    session: Session, runtime: Runtime, team: Team, key_result_id: int, now: datetime
) -> KeyResultRead:
    key_result = okr.get_key_result(session, team=team, key_result_id=key_result_id)
    objective = okr.get_objective(session, team=team, objective_id=key_result.objective_id)
    cycle = cycles.get(session, team=team, cycle_id=objective.cycle_id)
    view = listing(session, runtime, team, cycle, [objective], now).objectives[0]
    return next(k for k in view.key_results if k.id == key_result_id)


@router.get("/key-results/{key_result_id}")
def get_key_result(
    key_result_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> KeyResultRead:
    """One KR with its progress and status."""
    return _read(session, runtime, team, key_result_id, now)


@router.patch("/key-results/{key_result_id}")
def patch_key_result(
    key_result_id: Id,
    body: KeyResultPatch,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> KeyResultRead:
    """Change the KR's owner and/or contributors (handles; 422 for someone who has left)."""
    key_result = editable_key_result(session, principal, team, key_result_id)
    objective = okr.get_objective(session, team=team, objective_id=key_result.objective_id)
    set_people(session, principal, team, objective, key_result, body.owner, body.contributors, now)
    return _read(session, runtime, team, key_result_id, now)


@router.delete("/key-results/{key_result_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_key_result(
    key_result_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> None:
    """Delete a KR as /删除KR does (409 ``okr.error.delete_published`` for a published O's KR
    that weighs, was checked in or scored); 404 ``okr.error.key_result_gone`` for one deleted
    within minutes (a lost race, a retry), ``no_key_result`` for one never there."""
    try:
        key_result = editable_key_result(session, principal, team, key_result_id)
    except NotFound:
        okr.refuse_gone(session, team=team, kind="KR", row_id=key_result_id, now=now)
        raise
    okr.delete_key_result(session, team=team, key_result=key_result, now=now)


@router.get("/key-results/{key_result_id}/check-ins")
def list_check_ins(
    key_result_id: Id, session: SessionDep, principal: PrincipalDep, team: WorkspaceTeamDep
) -> list[CheckInRead]:
    """The KR's check-ins, oldest first."""
    key_result = okr.get_key_result(session, team=team, key_result_id=key_result_id)
    return [check_in_read(row) for row in checkins.history(session, key_result=key_result)]


@router.post("/key-results/{key_result_id}/check-ins", status_code=status.HTTP_201_CREATED)
def check_in(
    key_result_id: Id,
    body: CheckInCreate,
    session: SessionDep,
    principal: PrincipalDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> CheckInRead:
    """Record a check-in (409 ``okr.error.cycle_closed`` once the cycle is closed; flagged
    ``late`` in the grading window)."""
    key_result = editable_key_result(session, principal, team, key_result_id)
    row = checkins.check_in(
        session,
        team=team,
        key_result=key_result,
        author=principal.member,
        value=body.value,
        confidence=body.confidence,
        comment=body.comment,
        now=now,
    )
    return check_in_read(row)


@router.post("/key-results/{key_result_id}/score")
def score_key_result(
    key_result_id: Id,
    body: ScoreSet,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> KeyResultRead:
    """Score the KR (0–1, one decimal); a score other than the suggestion needs a reason."""
    key_result = editable_key_result(session, principal, team, key_result_id)
    scoring.score_key_result(
        session,
        team=team,
        key_result=key_result,
        value=scoring.parse_score(body.score),
        reason=body.reason,
        now=now,
    )
    return _read(session, runtime, team, key_result_id, now)
