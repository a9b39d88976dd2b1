"""Overrides, swaps bound to shifts, and calendar exception dates of a rotation."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.clock import ensure_utc, local, parse_hhmm, plan_horizon
from teamassist.duty import swap_notices
from teamassist.duty.calendar import WorkCalendar
from teamassist.duty.models import CalendarException, Override, Rotation, SignIn, Swap
from teamassist.duty.rotation import CompiledRotation, day_start, duty_date_at
from teamassist.duty.service import (
    cancel_broken_swaps,
    current_spec,
    load_specs,
    lock_rotation,
    override_end,
    require_team_member,
    rotation_handoff,
    rotations,
    today,
)
from teamassist.exceptions import Conflict, DomainError, Invalid, NotFound
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

# -- overrides -------------------------------------------------------------------------------


def add_override(
    session: Session,
    *,
    team: Team,
    rotation: Rotation,
    start: datetime,
    end: datetime,
    member: Member | None,
    now: datetime,
    by: Member | None = None,
    reason: str = "",
) -> Override:
    """Give the rotation to ``member`` (None: nobody) for [start, end); starts now at earliest."""
    now, start, end = ensure_utc(now), ensure_utc(start), ensure_utc(end)
    if end <= start:
        raise Invalid("duty.error.bad_range")
    if end <= now or start < now - timedelta(minutes=5):
        raise Invalid("duty.error.past_date", date=start.isoformat(timespec="minutes"))
    # By duty day, the start named first: a cover of the latest day runs to the next hand-off.
    handoff = parse_hhmm(rotation_handoff(session, team, rotation))
    for moment in (start, end - timedelta(microseconds=1)):
        _within_horizon(team, duty_date_at(moment, handoff, team.timezone), now)
    start = max(start, now)
    if member is not None:
        require_team_member(session, team, member)
        # The duty day holding the cover's last moment, as the roster counts days: a cover of
        # duty day D-1 runs to D's hand-off and is still theirs.
        handoff = parse_hhmm(rotation_handoff(session, team, rotation))
        last = duty_date_at(end - timedelta(microseconds=1), handoff, team.timezone)
        require_staying(member, team, last_day=last)
    # Lock the rotation before the overlap check: 20 `/值班代班` at once on PostgreSQL stored 9
    # overlapping covers, each having checked before the others committed (tester s25 F-B18).
    lock_rotation(session, rotation)
    for other in session.scalars(
        select(Override)
        .where(Override.rotation_id == rotation.id)
        .execution_options(populate_existing=True)
    ):
        if other.start_at < end and override_end(other) > start:
            raise Conflict(
                "duty.error.override_overlap",
                start=_local_label(team, other.start_at),
                end=_local_label(team, override_end(other)),
            )
    row = Override(
        rotation_id=rotation.id,
        start_at=start,
        end_at=end,
        member_id=member.id if member else None,
        reason=reason[:500],
        created_by_id=by.id if by else None,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def overrides(session: Session, *, rotation: Rotation) -> list[Override]:
    """The rotation's overrides, by start."""
    return list(
        session.scalars(
            select(Override).where(Override.rotation_id == rotation.id).order_by(Override.start_at)
        )
    )


def cancel_override(
    session: Session, *, rotation: Rotation, override_id: int, now: datetime
) -> Override:
    """End an override now (the part already served stays in the history)."""
    row = session.get(Override, override_id)
    if row is None or row.rotation_id != rotation.id or row.cancelled_at is not None:
        raise NotFound("duty.error.no_override", id=override_id)
    if row.end_at <= ensure_utc(now):
        raise Conflict("duty.error.override_over", id=override_id)
    row.cancelled_at = ensure_utc(now)
    session.flush()
    return row


def _within_horizon(team: Team, day: date, now: datetime) -> None:
    """Refuse a cover or swap past the product's one-year horizon (plan_horizon, as a
    departure, an action item or a meeting move): the REST window of ten years let a tester
    book 2036. Invalid ``duty.error.too_far`` naming the latest day."""
    latest = plan_horizon(now, team.timezone)
    if day > latest:
        raise Invalid("duty.error.too_far", date=day.isoformat(), latest=latest.isoformat())


def require_staying(member: Member, team: Team, *, last_day: date) -> None:
    """Refuse someone inactive, or set to leave on or before duty day ``last_day``: leaving on
    D means off duty from D, so a cover or swap up to D-1 is fine and one on D or later is not
    (testers saw both accepted for someone leaving on D, for days past D). Conflict
    ``people.error.inactive`` / ``merged``, or ``duty.error.leaving`` naming the day."""
    team_service.require_active(member)
    if member.deactivated_at is None:
        return
    leaving_day = local(member.deactivated_at, team.timezone).date()
    if leaving_day <= last_day:
        raise Conflict(
            "duty.error.leaving",
            name=member.display_name,
            date=leaving_day.isoformat(),
            day=last_day.isoformat(),
        )


def _local_label(team: Team, at: datetime) -> str:
    return local(at, team.timezone).strftime("%Y-%m-%d %H:%M")


# -- swaps bound to shifts -------------------------------------------------------------------


def create_swap(
    session: Session,
    *,
    team: Team,
    rotation: Rotation,
    member_a: Member,
    date_a: date,
    member_b: Member,
    date_b: date | None,
    now: datetime,
    by: Member | None = None,
    reason: str = "",
    admin: bool = False,
) -> Swap:
    """A and B trade A's shift on ``date_a`` for B's on ``date_b`` (no ``date_b``: B covers A).

    A day its holder signed in for is theirs to give: ``by`` (None: the workspace owner) who
    is neither that person nor ``admin`` is refused (DomainError ``duty.error.swap_signed_in``).
    A and B, bar ``by``, get a DM and the duty channel a line (:mod:`.swap_notices`): a member
    took a signed-in colleague's day and nobody was told (outside tester F14, session 23)."""
    now = ensure_utc(now)
    if member_a.id == member_b.id:
        raise Invalid("duty.error.swap_self", name=member_a.display_name)
    require_team_member(session, team, member_b)
    require_staying(member_b, team, last_day=date_a)  # B takes A's shift of date_a
    if date_b is not None:
        require_staying(member_a, team, last_day=date_b)  # and A takes B's of date_b
    # Lock the rotation before the checks read its swaps: 20 `/值班换班` at once on PostgreSQL
    # stored 14 identical swaps, each having checked before the others committed (tester s25
    # F-26, F-B18); the next one waits, then reads the first and is told 「已经换过了」.
    lock_rotation(session, rotation)
    spec = current_spec(session, team, rotation)
    if not spec.versions:
        raise DomainError("duty.error.empty_rotation", rotation=rotation.name)
    compiled = CompiledRotation(spec)
    handoff = spec.versions[-1].handoff
    current_today = duty_date_at(now, handoff, team.timezone)
    for day in (date_a, date_b):
        if day is not None and day < current_today:
            raise Invalid("duty.error.past_date", date=day.isoformat())
        if day is not None:
            _within_horizon(team, day, now)
    if date_b is not None and date_b == date_a:
        raise Invalid("duty.error.swap_same_day")
    # A shift given away already is named as such, before "not on duty that day" (which a
    # repeat of the same swap also is, once the first has moved the day).
    for other in session.scalars(
        select(Swap)
        .where(Swap.rotation_id == rotation.id, Swap.cancelled_at.is_(None))
        .execution_options(populate_existing=True)
    ):
        taken = {(other.member_a_id, other.date_a), (other.member_b_id, other.date_b)}
        if (member_a.id, date_a) in taken or (date_b and (member_b.id, date_b) in taken):
            raise Conflict("duty.error.swap_exists")
    _require_on_shift(compiled, team, member_a, date_a, handoff, now)
    if date_b is not None:
        _require_on_shift(compiled, team, member_b, date_b, handoff, now)
    # A swap trades shifts of the rotation, and covers lie on top of it: one held only by a
    # cover would be stored, answered "done" and never seen (tester F1, session 22).
    if spec.overrides:
        beneath = CompiledRotation(replace(spec, overrides=()))
        _refuse_held_by_cover(beneath, team, rotation, member_a, date_a, member_b, handoff, now)
        if date_b is not None:
            _refuse_held_by_cover(beneath, team, rotation, member_b, date_b, member_a, handoff, now)
    # Nobody may end up twice in one turn (people_per_turn >= 2): B already on A's shift, or
    # A already on B's.
    _refuse_already_on_shift(compiled, team, member_b, date_a, handoff, now)
    if date_b is not None:
        _refuse_already_on_shift(compiled, team, member_a, date_b, handoff, now)
    for holder, day in ((member_a, date_a), (member_b, date_b)):
        if day is None or admin or by is None or by.id == holder.id:
            continue
        signed = session.scalar(
            select(SignIn.id).where(
                SignIn.rotation_id == rotation.id,
                SignIn.member_id == holder.id,
                SignIn.duty_date == day,
            )
        )
        if signed is not None:
            raise DomainError(
                "duty.error.swap_signed_in",
                name=holder.display_name,
                date=day.isoformat(),
                rotation=rotation.name,
            )
    row = Swap(
        rotation_id=rotation.id,
        member_a_id=member_a.id,
        date_a=date_a,
        member_b_id=member_b.id,
        date_b=date_b,
        reason=reason[:500],
        created_by_id=by.id if by else None,
        created_at=now,
    )
    session.add(row)
    session.flush()
    swap_notices.tell(
        session, team=team, rotation=rotation, swap=row, a=member_a, b=member_b, by=by, now=now
    )
    return row


def _on_shift(
    compiled: CompiledRotation, team: Team, member: Member, day: date, handoff: time, now: datetime
) -> bool:
    """Whether ``member`` holds (a part still to come of) the shift of duty day ``day``."""
    start = max(day_start(day, handoff, team.timezone), now)
    end = day_start(day + timedelta(days=1), handoff, team.timezone)
    shifts = compiled.shifts(start, end) if start < end else []
    return any(member.id in s.member_ids for s in shifts)


def _require_on_shift(
    compiled: CompiledRotation, team: Team, member: Member, day: date, handoff: time, now: datetime
) -> None:
    if not _on_shift(compiled, team, member, day, handoff, now):
        raise DomainError("duty.error.not_on_shift", name=member.display_name, date=day.isoformat())


def _refuse_held_by_cover(
    beneath: CompiledRotation,
    team: Team,
    rotation: Rotation,
    member: Member,
    day: date,
    other: Member,
    handoff: time,
    now: datetime,
) -> None:
    """Refuse when ``member`` holds duty day ``day`` only through a cover (on shift in the final
    schedule, checked before, but not in the rotation beneath the covers): the reply names the
    cover's undo and the cover that gives the day to ``other``. DomainError
    ``duty.error.swap_on_cover``."""
    if not _on_shift(beneath, team, member, day, handoff, now):
        raise DomainError(
            "duty.error.swap_on_cover",
            name=member.display_name,
            other=other.display_name,
            date=day.isoformat(),
            rotation=rotation.name,
        )


def _refuse_already_on_shift(
    compiled: CompiledRotation, team: Team, member: Member, day: date, handoff: time, now: datetime
) -> None:
    if _on_shift(compiled, team, member, day, handoff, now):
        raise DomainError(
            "duty.error.swap_already_on_shift", name=member.display_name, date=day.isoformat()
        )


def swaps(session: Session, *, rotation: Rotation) -> list[Swap]:
    """The rotation's shift swaps, newest first."""
    return list(
        session.scalars(
            select(Swap).where(Swap.rotation_id == rotation.id).order_by(Swap.id.desc())
        )
    )


def cancel_swap(session: Session, *, rotation: Rotation, swap_id: int, now: datetime) -> Swap:
    """Undo a swap from now on."""
    row = session.get(Swap, swap_id)
    if row is None or row.rotation_id != rotation.id or row.cancelled_at is not None:
        raise NotFound("duty.error.no_swap", id=swap_id)
    row.cancelled_at = ensure_utc(now)
    session.flush()
    return row


# -- calendar exceptions ---------------------------------------------------------------------


def add_exception(
    session: Session,
    *,
    team: Team,
    rotation: Rotation,
    day: date,
    active: bool,
    now: datetime,
    note: str = "",
    by: Member | None = None,
) -> CalendarException:
    """Mark one future date as a duty day or a day off for this rotation."""
    if day <= today(team, now, rotation_handoff(session, team, rotation)):
        raise DomainError("duty.error.exception_not_future", date=day.isoformat())
    existing = session.scalar(
        select(CalendarException).where(
            CalendarException.rotation_id == rotation.id, CalendarException.day == day
        )
    )
    if existing is not None:
        raise Conflict("duty.error.exception_exists", date=day.isoformat())
    row = CalendarException(
        rotation_id=rotation.id,
        day=day,
        active=active,
        note=note[:200],
        created_by_id=by.id if by else None,
        created_at=ensure_utc(now),
    )
    before = CompiledRotation(current_spec(session, team, rotation)).broken_swaps(now)
    session.add(row)
    session.flush()
    # A day off may take a traded shift away: such swaps end now, as roster edits do.
    already = {s.id for s in before}
    after = CompiledRotation(current_spec(session, team, rotation)).broken_swaps(now)
    cancel_broken_swaps(session, swaps=[s for s in after if s.id not in already], at=now)
    return row


def exceptions(session: Session, *, rotation: Rotation) -> list[CalendarException]:
    """The rotation's exception dates."""
    return list(
        session.scalars(
            select(CalendarException)
            .where(CalendarException.rotation_id == rotation.id)
            .order_by(CalendarException.day)
        )
    )


def delete_exception(
    session: Session, *, team: Team, rotation: Rotation, day: date, now: datetime
) -> None:
    """Forget a future exception date."""
    if day <= today(team, now, rotation_handoff(session, team, rotation)):
        raise DomainError("duty.error.exception_not_future", date=day.isoformat())
    row = session.scalar(
        select(CalendarException).where(
            CalendarException.rotation_id == rotation.id, CalendarException.day == day
        )
    )
    if row is None:
        raise NotFound("duty.error.no_exception", date=day.isoformat())
    session.delete(row)
    session.flush()


@dataclass(frozen=True)
class CalendarWarning:
    """A rotation whose working calendar has no official data for a year it will reach soon."""

    rotation: Rotation
    year: int


def calendar_warnings(
    session: Session, *, team: Team, now: datetime, horizon_days: int = 61
) -> list[CalendarWarning]:
    """Rotations that will run on days of an unknown year within ``horizon_days``."""
    found: list[CalendarWarning] = []
    first = today(team, now)
    last = first + timedelta(days=horizon_days)
    for rotation, spec in zip(
        rotations(session, team=team), load_specs(session, team=team), strict=True
    ):
        modes = {v.calendar for v in spec.versions}
        for mode in sorted(modes):
            calendar = WorkCalendar(mode, spec.exceptions)
            for year in calendar.unknown_years(first, last):
                warning = CalendarWarning(rotation, year)
                if warning not in found:
                    found.append(warning)
    return found
