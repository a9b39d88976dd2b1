"""Overrides: someone (or nobody) holds a rotation for an interval."""

from __future__ import annotations

from teamassist.clock import read_in_zone
from teamassist.duty import overrides as override_service
from teamassist.duty.api.base import resource_router, rotation_of, team_members
from teamassist.duty.schemas import OverrideCreate, OverrideRead
from teamassist.http.admin import ADMIN_GATE
from teamassist.http.deps import Id, NowDep, PrincipalDep, RuntimeDep, SessionDep
from teamassist.http.errors import require_admin

router = resource_router()


@router.get("/rotations/{rotation_id}/overrides", response_model=list[OverrideRead])
def list_overrides(
    rotation_id: Id, session: SessionDep, principal: PrincipalDep
) -> list[OverrideRead]:
    """The rotation's overrides."""
    rotation, _ = rotation_of(session, principal, rotation_id)
    return [
        OverrideRead.from_row(o) for o in override_service.overrides(session, rotation=rotation)
    ]


@router.post(
    "/rotations/{rotation_id}/overrides",
    dependencies=[ADMIN_GATE],
    response_model=OverrideRead,
    status_code=201,
)
def add_override(
    rotation_id: Id,
    body: OverrideCreate,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> OverrideRead:
    """Someone (or nobody) takes the rotation for an interval (admin)."""
    rotation, team = rotation_of(session, principal, rotation_id)
    require_admin(session, principal, team)
    member = (
        team_members(session, principal, team, [body.member_id])[0]
        if body.member_id is not None
        else None
    )
    row = override_service.add_override(
        session,
        team=team,
        rotation=rotation,
        # Without an offset, the team's wall clock, as every other REST time and chat read it
        # (it was refused here alone, 400).
        start=read_in_zone(body.start, team.timezone),
        end=read_in_zone(body.end, team.timezone),
        member=member,
        now=now,
        by=principal.member,
        reason=body.reason,
    )
    return OverrideRead.from_row(row)


@router.delete(
    "/rotations/{rotation_id}/overrides/{override_id}",
    dependencies=[ADMIN_GATE],
    response_model=OverrideRead,
)
def cancel_override(
    rotation_id: Id,
    override_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> OverrideRead:
    """End an override now (admin); the part already served stays in the history."""
    rotation, team = rotation_of(session, principal, rotation_id)
    require_admin(session, principal, team)
    row = override_service.cancel_override(
        session, rotation=rotation, override_id=override_id, now=runtime.clock()
    )
    return OverrideRead.from_row(row)
