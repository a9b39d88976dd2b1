"""Exception dates: a future date marked as a duty day or a day off for one rotation."""

from __future__ import annotations

from teamassist.duty import overrides as override_service
from teamassist.duty.api.base import resource_router, rotation_of
from teamassist.duty.schemas import DutyDate, ExceptionCreate, ExceptionRead
from teamassist.http.admin import ADMIN_GATE
from teamassist.http.deps import Id, NowDep, PrincipalDep, SessionDep
from teamassist.http.errors import require_admin

router = resource_router()


@router.get("/rotations/{rotation_id}/exceptions", response_model=list[ExceptionRead])
def list_exceptions(
    rotation_id: Id, session: SessionDep, principal: PrincipalDep
) -> list[ExceptionRead]:
    """The rotation's exception dates."""
    rotation, _ = rotation_of(session, principal, rotation_id)
    return [
        ExceptionRead.from_row(e) for e in override_service.exceptions(session, rotation=rotation)
    ]


@router.post(
    "/rotations/{rotation_id}/exceptions",
    dependencies=[ADMIN_GATE],
    response_model=ExceptionRead,
    status_code=201,
)
def add_exception(
    rotation_id: Id,
    body: ExceptionCreate,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> ExceptionRead:
    """Mark a future date as a duty day or a day off for this rotation (admin)."""
    rotation, team = rotation_of(session, principal, rotation_id)
    require_admin(session, principal, team)
    row = override_service.add_exception(
        session,
        team=team,
        rotation=rotation,
        day=body.day,
        active=body.active,
        note=body.note,
        now=now,
        by=principal.member,
    )
    return ExceptionRead.from_row(row)


@router.delete(
    "/rotations/{rotation_id}/exceptions/{day}", dependencies=[ADMIN_GATE], status_code=204
)
def delete_exception(
    rotation_id: Id,
    day: DutyDate,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> None:
    """Forget a future exception date (admin)."""
    rotation, team = rotation_of(session, principal, rotation_id)
    require_admin(session, principal, team)
    override_service.delete_exception(session, team=team, rotation=rotation, day=day, now=now)
