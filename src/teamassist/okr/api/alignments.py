"""``/api/v1/okr/alignments`` and the cycle's scores: align, unalign, report."""

from __future__ import annotations

from fastapi import status

from teamassist.http.deps import Id, NowDep, PrincipalDep, SessionDep, WorkspaceTeamDep
from teamassist.okr import alignment, cycles, scoring
from teamassist.okr import objectives as okr
from teamassist.okr.api.base import require_edit, resource_router, today
from teamassist.okr.models import Alignment
from teamassist.okr.schemas import (
    AlignmentCreate,
    AlignmentRead,
    AlignmentReportRead,
    CycleScores,
    ScoreRead,
)

router = resource_router()


@router.post("/alignments", status_code=status.HTTP_201_CREATED)
def align(
    body: AlignmentCreate,
    session: SessionDep,
    principal: PrincipalDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> AlignmentRead:
    """The child (an O or KR of the team) contributes to the O ``parent_id`` (409 on a loop)."""
    parent = okr.get_objective(session, team=team, objective_id=body.parent_id)
    if body.child_type == alignment.KEY_RESULT:
        key_result = okr.get_key_result(session, team=team, key_result_id=body.child_id)
        objective = okr.get_objective(session, team=team, objective_id=key_result.objective_id)
        require_edit(session, principal, team, objective, key_result)
        label = f"KR-{key_result.number}"
    else:
        objective = okr.get_objective(session, team=team, objective_id=body.child_id)
        require_edit(session, principal, team, objective)
        label = f"O-{objective.number}"
    row = alignment.align(
        session,
        child_type=body.child_type,
        child_id=body.child_id,
        child_label=label,
        parent=parent,
        actor=principal.member,
        now=now,
    )
    return AlignmentRead(
        id=row.id, child_type=row.child_type, child_id=row.child_id, parent_id=row.parent_id
    )


@router.delete("/alignments/{alignment_id}", status_code=status.HTTP_204_NO_CONTENT)
def unalign(
    alignment_id: Id, session: SessionDep, principal: PrincipalDep, team: WorkspaceTeamDep
) -> None:
    """Remove an alignment (the parent O's owner, the child's owner, or a lead)."""
    row = session.get(Alignment, alignment_id)
    if row is not None and row.workspace_id == principal.workspace.id:
        parent = okr.get_objective(session, team=team, objective_id=row.parent_id)
        require_edit(session, principal, team, parent)
    alignment.unalign(session, workspace_id=principal.workspace.id, alignment_id=alignment_id)


@router.get("/alignments/report")
def alignment_report(
    session: SessionDep,
    principal: PrincipalDep,
    team: WorkspaceTeamDep,
    now: NowDep,
    cycle: str | None = None,
) -> AlignmentReportRead:
    """Os of the cycle without a parent, without support, or whose owner left."""
    found_cycle = (
        cycles.by_key(session, team=team, key=cycle)
        if cycle
        else cycles.current(session, team=team, today=today(team, now))
    )
    found = alignment.report(
        session, objectives=okr.objectives(session, team=team, cycle=found_cycle)
    )
    return AlignmentReportRead(
        cycle=found_cycle.key,
        unaligned=[f"O-{o.number}" for o in found.unaligned],
        unsupported=[f"O-{o.number}" for o in found.unsupported],
        orphaned=[f"O-{o.number}" for o in found.orphaned],
        links=alignment.link_labels(session, found.links),
    )


@router.get("/cycles/{cycle_id}/scores")
def cycle_scores(
    cycle_id: Id, session: SessionDep, principal: PrincipalDep, team: WorkspaceTeamDep
) -> CycleScores:
    """Suggested and final scores of every O of the cycle (drafts too, with their state), and
    the cycle's score: the mean of the published Os' final scores (null while none is)."""
    cycle = cycles.get(session, team=team, cycle_id=cycle_id)
    scores = scoring.objective_scores(session, okr.objectives(session, team=team, cycle=cycle))
    return CycleScores(
        cycle=cycle.key,
        score=scoring.cycle_score(scores),
        objectives=[
            ScoreRead(
                objective_id=s.objective.id,
                ref=f"O-{s.objective.number}",
                state=s.objective.state,
                suggested=s.suggested,
                final=s.final,
                reason=s.objective.score_reason,
                key_results=[
                    {
                        "id": kr.id,
                        "ref": f"KR-{kr.number}",
                        "suggested": suggested,
                        "final": final,
                        "reason": kr.score_reason,
                    }
                    for kr, suggested, final in s.krs
                ],
            )
            for s in scores
        ],
    )
