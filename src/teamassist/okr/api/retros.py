"""``/api/v1/okr/retros``: 复盘 drafts, what worked / what did not, carry-over and the
director's acknowledgement — the same service functions as ``/复盘``. A retrospective is named
by its objective's id."""

from __future__ import annotations

from fastapi import status
from sqlalchemy.orm import Session

from teamassist.http.auth import Principal, is_admin
from teamassist.http.deps import Id, NowDep, PrincipalDep, RuntimeDep, SessionDep, WorkspaceTeamDep
from teamassist.okr import cycles, retros
from teamassist.okr import objectives as okr
from teamassist.okr.api.base import privileged, resource_router, today
from teamassist.okr.retro_schemas import (
    CarriedRead,
    CarryOverCreate,
    RetroRead,
    RetroUpdate,
    carried_read,
    retro_read,
)
from teamassist.okr.retros import Section
from teamassist.ports import Workdays
from teamassist.runtime import Runtime
from teamassist.team.models import Team

router = resource_router()


def _workdays(runtime: Runtime) -> Workdays:
    return runtime.ports.get(Workdays)


def _director(session: Session, principal: Principal, team: Team) -> bool:
    return retros.is_director(team, principal.member, admin=is_admin(session, principal, team))


@router.get("/retros")
def list_retros(
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
    cycle: str | None = None,
) -> list[RetroRead]:
    """The caller's retrospectives of ``cycle`` (``2026Q3``, ``2026年3季度``, ``Q3``; default: the
    latest ended one); every
    published O's for the director, the leader or an admin."""
    day = today(team, now)
    found = (
        cycles.by_name(session, team=team, text=cycle, today=day)
        if cycle
        else retros.latest_ended(session, team=team, today=day)
    )
    views = retros.of_cycle(
        session,
        team=team,
        cycle=found,
        actor=principal.member,
        director=_director(session, principal, team),
        today=day,
        now=now,
        workdays=_workdays(runtime),
    )
    return [retro_read(v) for v in views]


@router.get("/retros/{objective_id}")
def get_retro(
    objective_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> RetroRead:
    """One O's retrospective (drafted on first look)."""
    objective = okr.get_objective(session, team=team, objective_id=objective_id)
    view = retros.draft(
        session,
        team=team,
        objective=objective,
        today=today(team, now),
        now=now,
        workdays=_workdays(runtime),
    )
    return retro_read(view)


@router.patch("/retros/{objective_id}")
def update_retro(
    objective_id: Id,
    body: RetroUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> RetroRead:
    """Replace what worked / what did not (owners, contributors, leads)."""
    objective = okr.get_objective(session, team=team, objective_id=objective_id)
    day = today(team, now)
    view = retros.draft(
        session, team=team, objective=objective, today=day, now=now, workdays=_workdays(runtime)
    )
    allowed = privileged(session, principal, team)
    for section, text in (
        (Section.WENT_WELL, body.went_well),
        (Section.TO_IMPROVE, body.to_improve),
    ):
        if text is not None:
            view = retros.fill(
                session,
                team=team,
                objective=objective,
                actor=principal.member,
                privileged=allowed,
                section=section,
                text=text,
                today=day,
                now=now,
                workdays=_workdays(runtime),
                append=False,
            )
    return retro_read(view)


@router.post("/retros/{objective_id}/acknowledge")
def acknowledge_retro(
    objective_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> RetroRead:
    """The director's acknowledgement (403 for anyone else, 409 when done already)."""
    objective = okr.get_objective(session, team=team, objective_id=objective_id)
    view = retros.acknowledge(
        session,
        team=team,
        objective=objective,
        actor=principal.member,
        director=_director(session, principal, team),
        today=today(team, now),
        now=now,
        workdays=_workdays(runtime),
    )
    return retro_read(view)


@router.post("/retros/carry-over", status_code=status.HTTP_201_CREATED)
def carry_over(
    body: CarryOverCreate,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team: WorkspaceTeamDep,
    now: NowDep,
) -> CarriedRead:
    """Copy an unfinished KR into the next cycle as a draft KR (409 when done or carried)."""
    key_result = okr.get_key_result(session, team=team, key_result_id=body.key_result_id)
    done = retros.carry_over(
        session,
        team=team,
        key_result=key_result,
        actor=principal.member,
        privileged=privileged(session, principal, team),
        today=today(team, now),
        now=now,
        workdays=_workdays(runtime),
    )
    return carried_read(done)
