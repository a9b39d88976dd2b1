"""The final schedule, who is on duty, and calendar warnings."""

from __future__ import annotations

from fastapi import Query

from teamassist.clock import read_in_zone
from teamassist.duty import overrides, service
from teamassist.duty.api.base import resource_router
from teamassist.duty.schemas import (
    DutyDate,
    DutyMoment,
    MemberBrief,
    OnDutyRead,
    RotationSchedule,
    ScheduleRead,
    ShiftRead,
)
from teamassist.http.deps import NowDep, PrincipalDep, RuntimeDep, SessionDep, TeamDep
from teamassist.i18n import t

router = resource_router()

MAX_SCHEDULE_DAYS = 400


@router.get("/teams/{team_id}/schedule", response_model=ScheduleRead)
def get_schedule(
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
    start: DutyDate | None = None,
    days: int = Query(default=7, ge=1, le=MAX_SCHEDULE_DAYS),
) -> ScheduleRead:
    """The final schedule of every rotation for ``days`` duty days from ``start`` (today)."""
    first = start or service.today(team, now)
    window_start, window_end = service.days_window(team, first, days)
    per_rotation = service.schedule(session, team=team, start=window_start, end=window_end, now=now)
    ids = {i for _, shifts in per_rotation for s in shifts for i in s.member_ids}
    warnings = [
        t("duty.roster_warning", rotation=r.name, year=y)
        for r, y in service.roster(session, team=team, first=first, days=days, now=now).warnings
    ]
    return ScheduleRead(
        start=window_start,
        end=window_end,
        rotations=[
            RotationSchedule(
                rotation_id=r.id,
                rotation=r.name,
                shifts=[ShiftRead.from_shift(s) for s in shifts],
            )
            for r, shifts in per_rotation
        ],
        members=MemberBrief.by_id(service.members_by_id(session, ids)),
        warnings=warnings,
    )


@router.get("/teams/{team_id}/on-duty", response_model=list[OnDutyRead])
def who_is_on_duty(
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    runtime: RuntimeDep,
    at: DutyMoment | None = None,
) -> list[OnDutyRead]:
    """Who holds each rotation now (or at ``at``; a time without an offset is the team's wall
    clock, as every other REST time is read since session 15)."""
    instant = read_in_zone(at, team.timezone) if at is not None else runtime.clock()
    return [
        OnDutyRead(
            rotation_id=d.rotation.id,
            rotation=d.rotation.name,
            kind=d.rotation.kind,
            duty_date=d.duty_date,
            members=[MemberBrief.from_member(m) for m in d.members],
        )
        for d in service.on_duty(session, team=team, at=instant)
    ]


@router.get("/teams/{team_id}/calendar-warnings", response_model=list[str])
def calendar_warnings(
    session: SessionDep, principal: PrincipalDep, team: TeamDep, now: NowDep
) -> list[str]:
    """Rotations that will reach a year without official holiday data within ~2 months."""
    return [
        t("duty.roster_warning", rotation=w.rotation.name, year=w.year)
        for w in overrides.calendar_warnings(session, team=team, now=now)
    ]
