"""Shift swaps: two people trade shifts, or one covers the other's."""

from __future__ import annotations

from teamassist.duty import overrides as override_service
from teamassist.duty.api.base import resource_router, rotation_of, team_members
from teamassist.duty.schemas import SwapCreate, SwapRead
from teamassist.http.admin import ADMIN_GATE
from teamassist.http.auth import is_admin
from teamassist.http.deps import Id, NowDep, PrincipalDep, RuntimeDep, SessionDep
from teamassist.http.errors import require_admin

router = resource_router()


@router.get("/rotations/{rotation_id}/swaps", response_model=list[SwapRead])
def list_swaps(rotation_id: Id, session: SessionDep, principal: PrincipalDep) -> list[SwapRead]:
    """The rotation's shift swaps, newest first."""
    rotation, _ = rotation_of(session, principal, rotation_id)
    return [SwapRead.from_row(s) for s in override_service.swaps(session, rotation=rotation)]


@router.post("/rotations/{rotation_id}/swaps", response_model=SwapRead, status_code=201)
def create_swap(
    rotation_id: Id,
    body: SwapCreate,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> SwapRead:
    """Trade two shifts (admins, or one of the two people)."""
    rotation, team = rotation_of(session, principal, rotation_id)
    a, b = team_members(session, principal, team, [body.member_a_id, body.member_b_id])
    if principal.member is not None and principal.member.id not in {a.id, b.id}:
        require_admin(session, principal, team)
    row = override_service.create_swap(
        session,
        team=team,
        rotation=rotation,
        member_a=a,
        date_a=body.date_a,
        member_b=b,
        date_b=body.date_b,
        now=now,
        by=principal.member,
        reason=body.reason,
        admin=is_admin(session, principal, team),
    )
    return SwapRead.from_row(row)


@router.delete(
    "/rotations/{rotation_id}/swaps/{swap_id}", dependencies=[ADMIN_GATE], response_model=SwapRead
)
def cancel_swap(
    rotation_id: Id,
    swap_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> SwapRead:
    """Undo a swap from now on (admin)."""
    rotation, team = rotation_of(session, principal, rotation_id)
    require_admin(session, principal, team)
    row = override_service.cancel_swap(
        session, rotation=rotation, swap_id=swap_id, now=runtime.clock()
    )
    return SwapRead.from_row(row)
