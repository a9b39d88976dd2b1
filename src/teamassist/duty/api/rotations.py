"""Rotations, their version history, and roster changes (preview, then apply)."""

from __future__ import annotations

from teamassist.duty import service, withdrawals
from teamassist.duty.api.base import resource_router, rotation_of, team_members
from teamassist.duty.planning import RosterChange, short_turn_note
from teamassist.duty.rotation import CompiledRotation
from teamassist.duty.schemas import (
    PreviewRead,
    RosterChangeIn,
    RotationCreate,
    RotationRead,
    VersionRead,
)
from teamassist.http.admin import ADMIN_GATE
from teamassist.http.deps import Id, NowDep, PrincipalDep, SessionDep, TeamDep
from teamassist.http.errors import require_admin

router = resource_router()


@router.get("/teams/{team_id}/rotations", response_model=list[RotationRead])
def list_rotations(session: SessionDep, team: TeamDep, now: NowDep) -> list[RotationRead]:
    """The team's rotations with the version in force now."""
    chosen = service.rotations(session, team=team)
    result = []
    for rotation, spec in zip(
        chosen, service.load_specs(session, team=team, only=chosen), strict=True
    ):
        current = CompiledRotation(spec).version_at(now) or (
            spec.versions[0] if spec.versions else None
        )
        result.append(
            RotationRead(
                id=rotation.id,
                team_id=rotation.team_id,
                key=rotation.key,
                name=rotation.name,
                kind=rotation.kind,
                current=VersionRead.from_spec(current) if current else None,
            )
        )
    return result


@router.post(
    "/teams/{team_id}/rotations",
    dependencies=[ADMIN_GATE],
    response_model=RotationRead,
    status_code=201,
)
def create_rotation(
    body: RotationCreate,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> RotationRead:
    """Create a rotation (admin)."""
    require_admin(session, principal, team)
    rotation = service.create_rotation(
        session,
        team=team,
        key=body.key,
        name=body.name,
        kind=body.kind,
        members=team_members(session, principal, team, body.member_ids),
        start_date=body.start_date,
        now=now,
        turn_days=body.turn_days,
        people_per_turn=body.people_per_turn,
        handoff_time=body.handoff_time,
        calendar=body.calendar.value,
        by=principal.member,
    )
    versions = service.versions(session, rotation=rotation)
    short = short_turn_note(rotation.name, service.version_spec(versions[-1]))
    return RotationRead(
        id=rotation.id,
        team_id=team.id,
        key=rotation.key,
        name=rotation.name,
        kind=rotation.kind,
        current=VersionRead.from_row(versions[-1]),
        warnings=[] if short is None else [short],
    )


@router.get("/rotations/{rotation_id}/versions", response_model=list[VersionRead])
def list_versions(
    rotation_id: Id, session: SessionDep, principal: PrincipalDep
) -> list[VersionRead]:
    """The rotation's history: every version, oldest first (append-only)."""
    rotation, _ = rotation_of(session, principal, rotation_id)
    return [VersionRead.from_row(v) for v in service.versions(session, rotation=rotation)]


@router.delete(
    "/rotations/{rotation_id}/versions/{version_id}",
    dependencies=[ADMIN_GATE],
    response_model=VersionRead,
)
def cancel_version(
    rotation_id: Id,
    version_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> VersionRead:
    """Withdraw a roster change that has not taken effect yet (admin)."""
    rotation, team = rotation_of(session, principal, rotation_id)
    require_admin(session, principal, team)
    done = withdrawals.withdraw_change(
        session, team=team, rotation=rotation, version_id=version_id, now=now
    )
    return VersionRead.from_row(done.version)


def _change(body: RosterChangeIn) -> RosterChange:
    return RosterChange(
        action=body.action,
        member_ids=tuple(body.member_ids),
        effective_date=body.effective_date,
        turn_days=body.turn_days,
        people_per_turn=body.people_per_turn,
        handoff_time=body.handoff_time,
        calendar=body.calendar.value if body.calendar else None,
    )


@router.post(
    "/rotations/{rotation_id}/changes/preview",
    dependencies=[ADMIN_GATE],
    response_model=PreviewRead,
)
def preview_change(
    rotation_id: Id,
    body: RosterChangeIn,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> PreviewRead:
    """The next 4 weeks before/after a change and whose shifts move; nothing is saved."""
    rotation, team = rotation_of(session, principal, rotation_id)
    require_admin(session, principal, team)
    team_members(session, principal, team, body.member_ids)
    preview = service.preview_change(
        session, team=team, rotation=rotation, change=_change(body), now=now
    )
    return PreviewRead.from_preview(
        preview, service.members_by_id(session, preview.moved_member_ids), rotation=rotation.name
    )


@router.post(
    "/rotations/{rotation_id}/changes",
    dependencies=[ADMIN_GATE],
    response_model=PreviewRead,
    status_code=201,
)
def apply_change(
    rotation_id: Id,
    body: RosterChangeIn,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> PreviewRead:
    """Apply a roster change as a new version (admin); answers like the preview."""
    rotation, team = rotation_of(session, principal, rotation_id)
    require_admin(session, principal, team)
    team_members(session, principal, team, body.member_ids)
    preview = service.change_roster(
        session,
        team=team,
        rotation=rotation,
        change=_change(body),
        now=now,
        by=principal.member,
    )
    return PreviewRead.from_preview(
        preview, service.members_by_id(session, preview.moved_member_ids), rotation=rotation.name
    )
