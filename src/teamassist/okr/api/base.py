"""What the OKR routers share: the router shape, who may change what, and the roll-up of a
cycle's Os into read shapes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from fastapi import APIRouter
from sqlalchemy.orm import Session

from teamassist.enums import Role
from teamassist.http.auth import Principal, is_admin
from teamassist.okr import cycles, rollup
from teamassist.okr import objectives as okr
from teamassist.okr.models import Cycle, KeyResult, Objective
from teamassist.okr.rows import ObjectiveFacts
from teamassist.okr.schemas import ObjectiveList, objective_list
from teamassist.ports import Workdays
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Team


def resource_router() -> APIRouter:
    """A router for one resource; every OKR endpoint lives under /api/v1/okr."""
    return APIRouter(prefix="/okr", tags=["okr"])


def privileged(session: Session, principal: Principal, team: Team) -> bool:
    """Admins and leads of the team (and the workspace owner) may change anyone's OKRs."""
    if is_admin(session, principal, team):
        return True
    assert principal.member is not None
    return team_service.role_of(session, team=team, member=principal.member) is Role.LEAD


def require_edit(
    session: Session,
    principal: Principal,
    team: Team,
    objective: Objective,
    key_result: KeyResult | None = None,
) -> None:
    """403 unless the caller owns or contributes to the O/KR, or leads the team."""
    okr.require_edit(
        session,
        actor=principal.member,
        privileged=privileged(session, principal, team),
        objective=objective,
        key_result=key_result,
    )


def editable_objective(
    session: Session, principal: Principal, team: Team, objective_id: int
) -> Objective:
    """The team's O ``objective_id`` (404), once the caller may change it (403)."""
    objective = okr.get_objective(session, team=team, objective_id=objective_id)
    require_edit(session, principal, team, objective)
    return objective


def editable_key_result(
    session: Session, principal: Principal, team: Team, key_result_id: int
) -> KeyResult:
    """The team's KR ``key_result_id`` (404), once the caller may change it or its O (403)."""
    key_result = okr.get_key_result(session, team=team, key_result_id=key_result_id)
    objective = okr.get_objective(session, team=team, objective_id=key_result.objective_id)
    require_edit(session, principal, team, objective, key_result)
    return key_result


def today(team: Team, now: datetime) -> date:
    """The team's local date."""
    return cycles.today_of(team, now)


def listing(
    session: Session,
    runtime: Runtime,
    team: Team,
    cycle: Cycle,
    found: Sequence[ObjectiveFacts],
    now: datetime,
) -> ObjectiveList:
    """Os of ``cycle`` rolled up against the working-day expectation."""
    day = today(team, now)
    expected, views = rollup.of_cycle(
        session,
        team=team,
        cycle=cycle,
        objectives=found,
        workdays=runtime.ports.get(Workdays),
        today=day,
    )
    names = team_service.names_by_id(session, (o.owner_id for o in found))
    return objective_list(cycle, day, expected, views, names)
