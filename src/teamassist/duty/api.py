"""REST endpoints of the duty desk (mounted under /api/v1); same services as the chat commands."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from teamassist.clock import ensure_utc
from teamassist.duty import overrides, service, signin
from teamassist.duty.models import Override, Rotation, RotationVersion, SignIn, Swap
from teamassist.duty.rotation import CompiledRotation, Shift, VersionSpec
from teamassist.duty.schemas import (
    ExceptionCreate,
    ExceptionRead,
    MemberBrief,
    OnDutyRead,
    OverrideCreate,
    OverrideRead,
    PreviewRead,
    RosterChangeIn,
    RotationCreate,
    RotationRead,
    RotationSchedule,
    ScheduleRead,
    ShiftRead,
    SignInRead,
    SignOutIn,
    SwapCreate,
    SwapRead,
    VersionRead,
)
from teamassist.exceptions import DomainError, NotFound, PermissionDenied
from teamassist.http.auth import Principal
from teamassist.http.deps import PrincipalDep, RuntimeDep, SessionDep
from teamassist.http.errors import require_admin
from teamassist.i18n import t
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

router = APIRouter(prefix="/duty", tags=["duty"])

MAX_SCHEDULE_DAYS = 400


# -- helpers -----------------------------------------------------------------------------------


def _team(session: Session, principal: Principal, team_id: int) -> Team:
    return team_service.get_team(session, workspace_id=principal.workspace.id, team_id=team_id)


def _rotation(session: Session, principal: Principal, rotation_id: int) -> tuple[Rotation, Team]:
    rotation = service.get_rotation_by_id(
        session, workspace_id=principal.workspace.id, rotation_id=rotation_id
    )
    return rotation, _team(session, principal, rotation.team_id)


def _members(
    session: Session, principal: Principal, team: Team, ids: Sequence[int]
) -> list[Member]:
    found = service.members_by_id(session, ids)
    members: list[Member] = []
    for member_id in ids:
        member = found.get(member_id)
        if member is None or member.workspace_id != principal.workspace.id:
            raise NotFound("core.error.unknown_member", who=str(member_id))
        members.append(member)
    service.check_team_members(session, team=team, members=members)
    return members


def _brief(member: Member) -> MemberBrief:
    return MemberBrief(id=member.id, handle=member.handle, display_name=member.display_name)


def _shift(shift: Shift) -> ShiftRead:
    return ShiftRead(
        rotation_id=shift.rotation_id,
        duty_date=shift.duty_date,
        start=shift.start,
        end=shift.end,
        member_ids=list(shift.member_ids),
        primary_id=shift.primary,
        source=shift.source,
        provisional=shift.provisional,
        ref_id=shift.ref_id,
    )


def _version_spec(spec: VersionSpec) -> VersionRead:
    return VersionRead(
        effective_at=spec.effective_at,
        member_ids=list(spec.member_ids),
        anchor_date=spec.anchor_date,
        anchor_index=spec.anchor_index,
        turn_days=spec.turn_days,
        people_per_turn=spec.people_per_turn,
        handoff_time=spec.handoff.strftime("%H:%M"),
        calendar=spec.calendar,
    )


def _version_row(row: RotationVersion) -> VersionRead:
    read = _version_spec(service.version_spec(row))
    read.id, read.change, read.cancelled_at = row.id, row.change, row.cancelled_at
    return read


def _member_map(session: Session, ids: Iterable[int]) -> dict[int, MemberBrief]:
    return {i: _brief(m) for i, m in service.members_by_id(session, ids).items()}


# -- rotations -------------------------------------------------------------------------------


@router.get("/teams/{team_id}/rotations", response_model=list[RotationRead])
def list_rotations(
    team_id: int, session: SessionDep, principal: PrincipalDep, runtime: RuntimeDep
) -> list[RotationRead]:
    """The team's rotations with the version in force now."""
    team = _team(session, principal, team_id)
    now = runtime.clock()
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
                current=_version_spec(current) if current else None,
            )
        )
    return result


@router.post("/teams/{team_id}/rotations", response_model=RotationRead, status_code=201)
def create_rotation(
    team_id: int,
    body: RotationCreate,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> RotationRead:
    """Create a rotation (admin)."""
    team = _team(session, principal, team_id)
    require_admin(session, principal, team)
    rotation = service.create_rotation(
        session,
        team=team,
        key=body.key,
        name=body.name,
        kind=body.kind,
        members=_members(session, principal, team, body.member_ids),
        start_date=body.start_date,
        now=runtime.clock(),
        turn_days=body.turn_days,
        people_per_turn=body.people_per_turn,
        handoff_time=body.handoff_time,
        calendar=body.calendar.value,
        by=principal.member,
    )
    versions = service.versions(session, rotation=rotation)
    return RotationRead(
        id=rotation.id,
        team_id=team.id,
        key=rotation.key,
        name=rotation.name,
        kind=rotation.kind,
        current=_version_row(versions[-1]),
    )


@router.get("/rotations/{rotation_id}/versions", response_model=list[VersionRead])
def list_versions(
    rotation_id: int, session: SessionDep, principal: PrincipalDep
) -> list[VersionRead]:
    """The rotation's history: every version, oldest first (append-only)."""
    rotation, _ = _rotation(session, principal, rotation_id)
    return [_version_row(v) for v in service.versions(session, rotation=rotation)]


@router.delete("/rotations/{rotation_id}/versions/{version_id}", response_model=VersionRead)
def cancel_version(
    rotation_id: int,
    version_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> VersionRead:
    """Withdraw a roster change that has not taken effect yet (admin)."""
    rotation, team = _rotation(session, principal, rotation_id)
    require_admin(session, principal, team)
    row = service.cancel_version(
        session, rotation=rotation, version_id=version_id, now=runtime.clock()
    )
    return _version_row(row)


def _change(body: RosterChangeIn) -> service.RosterChange:
    return service.RosterChange(
        action=body.action,
        member_ids=tuple(body.member_ids),
        effective_date=body.effective_date,
        turn_days=body.turn_days,
        people_per_turn=body.people_per_turn,
        handoff_time=body.handoff_time,
        calendar=body.calendar.value if body.calendar else None,
    )


def _preview_read(session: Session, preview: service.Preview) -> PreviewRead:
    moved = service.members_by_id(session, preview.moved_member_ids)
    return PreviewRead(
        effective_at=preview.effective_at,
        before=[_shift(s) for s in preview.before],
        after=[_shift(s) for s in preview.after],
        moved_member_ids=preview.moved_member_ids,
        moved=[_brief(moved[i]) for i in preview.moved_member_ids if i in moved],
        version=_version_spec(preview.new_version),
        broken_swap_ids=[s.id for s in preview.broken_swaps],
    )


@router.post("/rotations/{rotation_id}/changes/preview", response_model=PreviewRead)
def preview_change(
    rotation_id: int,
    body: RosterChangeIn,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> PreviewRead:
    """The next 4 weeks before/after a change and whose shifts move; nothing is saved."""
    rotation, team = _rotation(session, principal, rotation_id)
    require_admin(session, principal, team)
    _members(session, principal, team, body.member_ids)
    preview = service.preview_change(
        session, team=team, rotation=rotation, change=_change(body), now=runtime.clock()
    )
    return _preview_read(session, preview)


@router.post("/rotations/{rotation_id}/changes", response_model=PreviewRead, status_code=201)
def apply_change(
    rotation_id: int,
    body: RosterChangeIn,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> PreviewRead:
    """Apply a roster change as a new version (admin); answers like the preview."""
    rotation, team = _rotation(session, principal, rotation_id)
    require_admin(session, principal, team)
    _members(session, principal, team, body.member_ids)
    preview = service.change_roster(
        session,
        team=team,
        rotation=rotation,
        change=_change(body),
        now=runtime.clock(),
        by=principal.member,
    )
    return _preview_read(session, preview)


# -- schedule and who is on duty ---------------------------------------------------------------


@router.get("/teams/{team_id}/schedule", response_model=ScheduleRead)
def get_schedule(
    team_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    start: date | None = None,
    days: int = Query(default=7, ge=1, le=MAX_SCHEDULE_DAYS),
) -> ScheduleRead:
    """The final schedule of every rotation for ``days`` duty days from ``start`` (today)."""
    team = _team(session, principal, team_id)
    first = start or service.today(team, runtime.clock())
    window_start, window_end = service.days_window(team, first, days)
    per_rotation = service.schedule(session, team=team, start=window_start, end=window_end)
    ids = {i for _, shifts in per_rotation for s in shifts for i in s.member_ids}
    warnings = [
        t("duty.roster_warning", rotation=r.name, year=y)
        for r, y in service.roster(session, team=team, first=first, days=days).warnings
    ]
    return ScheduleRead(
        start=window_start,
        end=window_end,
        rotations=[
            RotationSchedule(rotation_id=r.id, rotation=r.name, shifts=[_shift(s) for s in shifts])
            for r, shifts in per_rotation
        ],
        members=_member_map(session, ids),
        warnings=warnings,
    )


@router.get("/teams/{team_id}/on-duty", response_model=list[OnDutyRead])
def who_is_on_duty(
    team_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    at: datetime | None = None,
) -> list[OnDutyRead]:
    """Who holds each rotation now (or at ``at``, which must carry a time zone)."""
    team = _team(session, principal, team_id)
    if at is not None and at.tzinfo is None:
        raise DomainError("duty.error.naive_time")
    instant = ensure_utc(at) if at is not None else runtime.clock()
    return [
        OnDutyRead(
            rotation_id=d.rotation.id,
            rotation=d.rotation.name,
            kind=d.rotation.kind,
            duty_date=d.duty_date,
            members=[_brief(m) for m in d.members],
        )
        for d in service.on_duty(session, team=team, at=instant)
    ]


# -- overrides, swaps, exceptions ----------------------------------------------------------------


def _override_read(row: Override) -> OverrideRead:
    return OverrideRead(
        id=row.id,
        rotation_id=row.rotation_id,
        start=row.start_at,
        end=service.override_end(row),
        member_id=row.member_id,
        reason=row.reason,
        cancelled_at=row.cancelled_at,
    )


@router.get("/rotations/{rotation_id}/overrides", response_model=list[OverrideRead])
def list_overrides(
    rotation_id: int, session: SessionDep, principal: PrincipalDep
) -> list[OverrideRead]:
    """The rotation's overrides."""
    rotation, _ = _rotation(session, principal, rotation_id)
    return [_override_read(o) for o in overrides.overrides(session, rotation=rotation)]


@router.post("/rotations/{rotation_id}/overrides", response_model=OverrideRead, status_code=201)
def add_override(
    rotation_id: int,
    body: OverrideCreate,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> OverrideRead:
    """Someone (or nobody) takes the rotation for an interval (admin)."""
    rotation, team = _rotation(session, principal, rotation_id)
    require_admin(session, principal, team)
    if body.start.tzinfo is None or body.end.tzinfo is None:
        raise DomainError("duty.error.naive_time")
    member = (
        _members(session, principal, team, [body.member_id])[0]
        if body.member_id is not None
        else None
    )
    row = overrides.add_override(
        session,
        team=team,
        rotation=rotation,
        start=body.start,
        end=body.end,
        member=member,
        now=runtime.clock(),
        by=principal.member,
        reason=body.reason,
    )
    return _override_read(row)


@router.delete("/rotations/{rotation_id}/overrides/{override_id}", response_model=OverrideRead)
def cancel_override(
    rotation_id: int,
    override_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> OverrideRead:
    """End an override now (admin); the part already served stays in the history."""
    rotation, team = _rotation(session, principal, rotation_id)
    require_admin(session, principal, team)
    row = overrides.cancel_override(
        session, rotation=rotation, override_id=override_id, now=runtime.clock()
    )
    return _override_read(row)


def _swap_read(row: Swap) -> SwapRead:
    return SwapRead(
        id=row.id,
        rotation_id=row.rotation_id,
        member_a_id=row.member_a_id,
        date_a=row.date_a,
        member_b_id=row.member_b_id,
        date_b=row.date_b,
        reason=row.reason,
        created_at=row.created_at,
        cancelled_at=row.cancelled_at,
    )


@router.get("/rotations/{rotation_id}/swaps", response_model=list[SwapRead])
def list_swaps(rotation_id: int, session: SessionDep, principal: PrincipalDep) -> list[SwapRead]:
    """The rotation's shift swaps, newest first."""
    rotation, _ = _rotation(session, principal, rotation_id)
    return [_swap_read(s) for s in overrides.swaps(session, rotation=rotation)]


@router.post("/rotations/{rotation_id}/swaps", response_model=SwapRead, status_code=201)
def create_swap(
    rotation_id: int,
    body: SwapCreate,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> SwapRead:
    """Trade two shifts (admins, or one of the two people)."""
    rotation, team = _rotation(session, principal, rotation_id)
    a, b = _members(session, principal, team, [body.member_a_id, body.member_b_id])
    if principal.member is not None and principal.member.id not in {a.id, b.id}:
        require_admin(session, principal, team)
    row = overrides.create_swap(
        session,
        team=team,
        rotation=rotation,
        member_a=a,
        date_a=body.date_a,
        member_b=b,
        date_b=body.date_b,
        now=runtime.clock(),
        by=principal.member,
        reason=body.reason,
    )
    return _swap_read(row)


@router.delete("/rotations/{rotation_id}/swaps/{swap_id}", response_model=SwapRead)
def cancel_swap(
    rotation_id: int,
    swap_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> SwapRead:
    """Undo a swap from now on (admin)."""
    rotation, team = _rotation(session, principal, rotation_id)
    require_admin(session, principal, team)
    return _swap_read(
        overrides.cancel_swap(session, rotation=rotation, swap_id=swap_id, now=runtime.clock())
    )


@router.get("/rotations/{rotation_id}/exceptions", response_model=list[ExceptionRead])
def list_exceptions(
    rotation_id: int, session: SessionDep, principal: PrincipalDep
) -> list[ExceptionRead]:
    """The rotation's exception dates."""
    rotation, _ = _rotation(session, principal, rotation_id)
    return [
        ExceptionRead(day=e.day, active=e.active, note=e.note)
        for e in overrides.exceptions(session, rotation=rotation)
    ]


@router.post("/rotations/{rotation_id}/exceptions", response_model=ExceptionRead, status_code=201)
def add_exception(
    rotation_id: int,
    body: ExceptionCreate,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> ExceptionRead:
    """Mark a future date as a duty day or a day off for this rotation (admin)."""
    rotation, team = _rotation(session, principal, rotation_id)
    require_admin(session, principal, team)
    row = overrides.add_exception(
        session,
        team=team,
        rotation=rotation,
        day=body.day,
        active=body.active,
        note=body.note,
        now=runtime.clock(),
        by=principal.member,
    )
    return ExceptionRead(day=row.day, active=row.active, note=row.note)


@router.delete("/rotations/{rotation_id}/exceptions/{day}", status_code=204)
def delete_exception(
    rotation_id: int,
    day: date,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> None:
    """Forget a future exception date (admin)."""
    rotation, team = _rotation(session, principal, rotation_id)
    require_admin(session, principal, team)
    overrides.delete_exception(session, team=team, rotation=rotation, day=day, now=runtime.clock())


@router.get("/teams/{team_id}/calendar-warnings", response_model=list[str])
def calendar_warnings(
    team_id: int, session: SessionDep, principal: PrincipalDep, runtime: RuntimeDep
) -> list[str]:
    """Rotations that will reach a year without official holiday data within ~2 months."""
    team = _team(session, principal, team_id)
    return [
        t("duty.roster_warning", rotation=w.rotation.name, year=w.year)
        for w in overrides.calendar_warnings(session, team=team, now=runtime.clock())
    ]


# -- sign-in ---------------------------------------------------------------------------------


def _sign_read(row: SignIn) -> SignInRead:
    return SignInRead(
        rotation_id=row.rotation_id,
        member_id=row.member_id,
        duty_date=row.duty_date,
        signed_in_at=row.signed_in_at,
        signed_out_at=row.signed_out_at,
        report=row.report,
    )


def _caller(principal: Principal) -> Member:
    if principal.member is None:
        raise PermissionDenied("duty.error.no_member")
    return principal.member


@router.post("/teams/{team_id}/sign-in", response_model=list[SignInRead], status_code=201)
def sign_in(
    team_id: int, session: SessionDep, principal: PrincipalDep, runtime: RuntimeDep
) -> list[SignInRead]:
    """Sign the caller in for today's duty."""
    team = _team(session, principal, team_id)
    rows = signin.sign_in(session, team=team, member=_caller(principal), now=runtime.clock())
    return [_sign_read(r) for r in rows]


@router.post("/teams/{team_id}/sign-out", response_model=list[SignInRead])
def sign_out(
    team_id: int,
    body: SignOutIn,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> list[SignInRead]:
    """Sign the caller out, with the duty report."""
    team = _team(session, principal, team_id)
    result = signin.sign_out(
        session, team=team, member=_caller(principal), now=runtime.clock(), report=body.report
    )
    return [_sign_read(r) for r in result.rows]


@router.get("/teams/{team_id}/sign-ins", response_model=list[SignInRead])
def list_sign_ins(
    team_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    first: date | None = None,
    last: date | None = None,
) -> list[SignInRead]:
    """Sign-in history for duty dates in [first, last] (default: the last 30 days)."""
    team = _team(session, principal, team_id)
    last = last or service.today(team, runtime.clock())
    first = first or last - timedelta(days=30)
    return [_sign_read(r) for r in signin.sign_ins(session, team=team, first=first, last=last)]
