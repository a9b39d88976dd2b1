"""``/api/v1/okr/objectives``: list, create, change, weigh, publish, score and delete Os,
add KRs."""

from __future__ import annotations

from datetime import datetime

from fastapi import Response, status
from sqlalchemy.orm import Session

from teamassist.exceptions import Conflict, NotFound, PermissionDenied
from teamassist.http import idempotency
from teamassist.http.deps import Id, NowDep, PrincipalDep, RuntimeDep, SessionDep, WorkspaceTeamDep
from teamassist.okr import cycles, rows, scoring
from teamassist.okr import objectives as okr
from teamassist.okr.api.base import (
    editable_objective,
    listing,
    member_named,
    privileged,
    resource_router,
    set_people,
    today,
    token_owner,
)
from teamassist.okr.models import KeyResult, Objective, ObjectiveState
from teamassist.okr.objectives import KrInput
from teamassist.okr.schemas import (
    KeyResultCreate,
    ObjectiveCreate,
    ObjectiveList,
    ObjectivePatch,
    ObjectiveRead,
    ScoreSet,
)
from teamassist.runtime import Runtime
from teamassist.team.models import Team

router = resource_router()


@router.get("/objectives")
def list_objectives(
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
    cycle: str | None = None,
    owner: str | None = None,
    state: ObjectiveState | None = None,
) -> ObjectiveList:
    """The team's Os of ``cycle`` (``2026Q4``; default: the current one), optionally one
    owner's (a handle or display name) or one state's."""
    found_cycle = (
        cycles.by_key(session, team=team, key=cycle)
        if cycle
        else cycles.current(session, team=team, today=today(team, now))
    )
    owner_id = None
    if owner:
        owner_id = member_named(session, principal, owner).id
    found = rows.objectives(
        session, team_id=team.id, cycle_id=found_cycle.id, owner_id=owner_id, state=state
    )
    return listing(session, runtime, team, found_cycle, found, now)


def _one(
    session: Session, runtime: Runtime, team: Team, objective_id: int, now: datetime
) -> ObjectiveRead:
    objective = okr.get_objective(session, team=team, objective_id=objective_id)
    cycle = cycles.get(session, team=team, cycle_id=objective.cycle_id)
    return listing(session, runtime, team, cycle, [objective], now).objectives[0]


@router.post(
    "/objectives",
    status_code=status.HTTP_201_CREATED,
    response_model=ObjectiveRead,
    responses=idempotency.REPLAYED_DOC,
)
def create_objective(
    body: ObjectiveCreate,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
    idempotency_key: idempotency.KeyHeader = None,
) -> ObjectiveRead | Response:
    """A draft O owned by the caller (or, for admins and leads, by ``owner``); the global
    token's by the member it speaks as (as in chat), who must be one of the team's people (422
    ``okr.error.voice_not_in_team`` otherwise: name an ``owner``).

    ``Idempotency-Key`` (at most 120 characters, per caller): the same key with the same
    request answers as the first time, 201 with the first answer and ``Idempotency-Replayed:
    true``, nothing made again; with another request, 422 ``core.error.idempotency_key_reused``.
    Without a key, the same title for the same owner in the cycle within ten minutes is a
    retry, as in chat: 409 ``okr.error.objective_repeat`` naming the first O, nothing made."""

    def make() -> idempotency.Made[ObjectiveRead]:
        cycle = (
            cycles.by_key(session, team=team, key=body.cycle)
            if body.cycle
            else cycles.current(session, team=team, today=today(team, now))
        )
        if body.owner is not None:
            if not privileged(session, principal, team):
                raise PermissionDenied("core.error.forbidden")
            owner = member_named(session, principal, body.owner)
        else:
            owner = principal.member or token_owner(session, principal, team)
        objective = okr.create_objective(
            session,
            team=team,
            cycle=cycle,
            owner=owner,
            title=body.title,
            now=now,
            okr_type=body.okr_type,
            refuse_repeat=True,
            by_owner=principal.member is not None and principal.member.id == owner.id,
        )
        set_people(session, principal, team, objective, None, None, body.contributors, now)
        return idempotency.Made(
            _one(session, runtime, team, objective.id, now),
            resource=f"okr.objective:{objective.id}",
            label=f"{cycle.key} O-{objective.number}「{objective.title[:40]}」",
        )

    return idempotency.once(
        session,
        principal,
        idempotency_key,
        request=f"POST okr/objectives team={team.id}",
        body=body,
        now=now,
        make=make,
        replayed=lambda replay: _replayed(session, replay, Objective, "okr.objective"),
    )


def _replayed(
    session: Session,
    replay: idempotency.Replay,
    model: type[Objective] | type[KeyResult],
    kind: str,
) -> Response:
    """The first answer again, while what it made is still there; once it was deleted, 409
    ``okr.error.replay_gone`` naming it, nothing made: a script told "201, here is O-13" went
    on to add KRs to an O that was gone (tester s28 E-12)."""
    made = replay.resource_id(kind)
    if made is not None and session.get(model, made) is None:
        raise Conflict("okr.error.replay_gone", made=replay.label or f"#{made}")
    return replay.response()


@router.get("/objectives/{objective_id}")
def get_objective(
    objective_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> ObjectiveRead:
    """One O with its KRs and progress."""
    return _one(session, runtime, team, objective_id, now)


@router.patch("/objectives/{objective_id}")
def patch_objective(
    objective_id: Id,
    body: ObjectivePatch,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> ObjectiveRead:
    """Change the title or type, the owner or contributors (handles), or set every KR weight
    (they must total 100: 422 ``okr.error.weights_sum`` otherwise, and nothing changes)."""
    objective = editable_objective(session, principal, team, objective_id)
    if body.weights is not None:
        okr.set_weights(session, objective=objective, weights=body.weights)
    okr.update_objective(
        session, team=team, objective=objective, now=now, title=body.title, okr_type=body.okr_type
    )
    set_people(session, principal, team, objective, None, body.owner, body.contributors, now)
    return _one(session, runtime, team, objective_id, now)


@router.delete("/objectives/{objective_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_objective(
    objective_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> None:
    """Delete a draft O with its KRs (409 ``okr.error.delete_published_objective`` for a
    published one); 404 ``okr.error.objective_gone`` for one deleted within minutes (a request
    that lost to another delete of it, or a retry), ``no_objective`` for one never there."""
    try:
        objective = editable_objective(session, principal, team, objective_id)
    except NotFound:
        okr.refuse_gone(session, team=team, kind="O", row_id=objective_id, now=now)
        raise
    okr.delete_objective(session, team=team, objective=objective, now=now)


@router.post("/objectives/{objective_id}/even-weights")
def even_weights(
    objective_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> ObjectiveRead:
    """Split 100% evenly over the KRs by largest remainder (34/33/33)."""
    objective = editable_objective(session, principal, team, objective_id)
    okr.even_weights(session, objective=objective)
    return _one(session, runtime, team, objective_id, now)


@router.post(
    "/objectives/{objective_id}/key-results",
    status_code=status.HTTP_201_CREATED,
    response_model=ObjectiveRead,
    responses=idempotency.REPLAYED_DOC,
)
def add_key_result(
    objective_id: Id,
    body: KeyResultCreate,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
    idempotency_key: idempotency.KeyHeader = None,
) -> ObjectiveRead | Response:
    """Add a KR (owner: the O's unless ``owner`` names one); the answer is the O with its new
    KR last. ``Idempotency-Key`` as for creating an O: the same key and request again answer
    the first answer (201, ``Idempotency-Replayed: true``), another request with it 422
    ``core.error.idempotency_key_reused``. Without a key, the same title, start and target
    under the O within ten minutes is a retry, as in chat: 409 ``okr.error.kr_repeat`` naming
    the first KR, nothing made nor weighed twice."""

    def make() -> idempotency.Made[ObjectiveRead]:
        objective = editable_objective(session, principal, team, objective_id)
        key_result = okr.add_key_result(
            session,
            team=team,
            objective=objective,
            data=KrInput(
                title=body.title,
                kind=body.kind,
                start=body.start,
                target=body.target,
                unit=body.unit,
                weight=body.weight,
                milestones=tuple(body.milestones),
            ),
            now=now,
            refuse_repeat=True,
        )
        set_people(
            session, principal, team, objective, key_result, body.owner, body.contributors, now
        )
        return idempotency.Made(
            _one(session, runtime, team, objective_id, now),
            resource=f"okr.key_result:{key_result.id}",
            label=f"KR-{key_result.number}「{key_result.title[:40]}」",
        )

    return idempotency.once(
        session,
        principal,
        idempotency_key,
        request=f"POST okr/objectives/{objective_id}/key-results team={team.id}",
        body=body,
        now=now,
        make=make,
        replayed=lambda replay: _replayed(session, replay, KeyResult, "okr.key_result"),
    )


@router.post("/objectives/{objective_id}/publish")
def publish(
    objective_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> ObjectiveRead:
    """Publish a draft O once every check passes (422 with every reason otherwise)."""
    objective = editable_objective(session, principal, team, objective_id)
    cycle = cycles.get(session, team=team, cycle_id=objective.cycle_id)
    okr.publish(session, team=team, cycle=cycle, chosen=[objective], now=now)
    return _one(session, runtime, team, objective_id, now)


@router.post("/objectives/{objective_id}/score")
def score_objective(
    objective_id: Id,
    body: ScoreSet,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> ObjectiveRead:
    """Score the O (0–1, one decimal); a score other than the suggestion needs a reason."""
    objective = editable_objective(session, principal, team, objective_id)
    scoring.score_objective(
        session,
        team=team,
        objective=objective,
        value=scoring.parse_score(body.score),
        reason=body.reason,
        now=now,
    )
    return _one(session, runtime, team, objective_id, now)
