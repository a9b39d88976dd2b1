"""Roster edits as pure planning: a change + the current spec → the version to append.

No database here, so the "no edit changes the past" property can be tested over thousands of
random edit sequences. Every version is effective from now (a change for today) or from the
hand-off of a future duty day; the order continues from whoever holds the turn then.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from teamassist.clock import parse_hhmm
from teamassist.duty.calendar import CalendarMode
from teamassist.duty.rotation import (
    CompiledRotation,
    RotationSpec,
    VersionSpec,
    day_start,
    duty_date_at,
)
from teamassist.exceptions import Conflict, DomainError, NotFound
from teamassist.i18n import t

ACTION_ADD = "add"
ACTION_REMOVE = "remove"
# A removal the team domain's departure made (someone leaving on a date): planned as a removal,
# stored under its own name so that calling the departure off withdraws exactly it and never a
# removal an admin made by hand (see :mod:`teamassist.duty.departures`).
ACTION_LEAVE = "leave"
ACTION_SWAP = "swap"
ACTION_REPLAN = "replan"
ACTION_PARAMS = "params"


@dataclass(frozen=True)
class RosterChange:
    """A proposed edit of a rotation; ``effective_date`` None means today (from now on)."""

    action: str
    member_ids: tuple[int, ...] = ()
    effective_date: date | None = None
    turn_days: int | None = None
    people_per_turn: int | None = None
    handoff_time: str | None = None
    calendar: str | None = None


def _ids_as_names(ids: Sequence[int]) -> dict[str, str]:
    return {"name": "、".join(str(i) for i in ids)}


def check_params(turn_days: int, people_per_turn: int, handoff_time: str, calendar: str) -> None:
    """Refuse parameters outside the supported ranges."""
    if not 1 <= turn_days <= 366:
        raise DomainError("duty.error.bad_turn_days", value=turn_days)
    if not 1 <= people_per_turn <= 20:
        raise DomainError("duty.error.bad_people_per_turn", value=people_per_turn)
    try:
        parse_hhmm(handoff_time)
    except ValueError as exc:
        raise DomainError("duty.error.bad_time", value=handoff_time) from exc
    if calendar not in {m.value for m in CalendarMode}:
        raise DomainError("duty.error.bad_calendar", value=calendar)


def short_turn_note(rotation_name: str, version: VersionSpec) -> str | None:
    """What to tell whoever stored ``version`` when a turn asks more people than the rotation
    has (but someone): every turn is then all of them, every day, and nothing rotates (tester
    s26 A-10: ``people_per_turn: 5`` with two members was stored without a word). Said, not
    refused: a rotation is made and filled in steps, and a removal must not be blocked by it."""
    count = len(version.member_ids)
    if not 0 < count < version.people_per_turn:
        return None
    return t(
        "duty.turn_short", rotation=rotation_name, per_turn=version.people_per_turn, count=count
    )


def effective_moment(spec: RotationSpec, change: RosterChange, now: datetime) -> datetime:
    """When ``change`` takes effect: now for today, else its date's hand-off (never the past)."""
    latest = spec.versions[-1]
    current_today = duty_date_at(now, latest.handoff, spec.timezone)
    day = change.effective_date or current_today
    if day < current_today:
        raise DomainError("duty.error.past_date", date=day.isoformat())
    return now if day == current_today else day_start(day, latest.handoff, spec.timezone)


def plan_change(
    spec: RotationSpec,
    change: RosterChange,
    now: datetime,
    *,
    rotation_name: str = "",
    names: Callable[[Sequence[int]], dict[str, str]] = _ids_as_names,
) -> VersionSpec:
    """Validate ``change`` against ``spec`` at ``now`` and return the version it appends.

    ``names`` turns member ids into the ``name`` parameter of error messages.
    """
    rotation_name = rotation_name or spec.name
    if not spec.versions:
        raise DomainError("duty.error.empty_rotation", rotation=rotation_name)
    compiled = CompiledRotation(spec)
    latest = spec.versions[-1]
    current_today = duty_date_at(now, latest.handoff, spec.timezone)
    day = change.effective_date or current_today
    effective = effective_moment(spec, change, now)
    if latest.effective_at > effective:
        raise Conflict(
            "duty.error.pending_change",
            rotation=rotation_name,
            date=duty_date_at(latest.effective_at, latest.handoff, spec.timezone).isoformat(),
        )
    old = latest
    members = list(old.member_ids)
    ids = list(change.member_ids)
    position = compiled.turn_position(effective, day)
    first_day, pos = (position[0], position[1]) if position else (day, 0)
    anchor_date, anchor_index = first_day, pos
    new_members = members
    if change.action == ACTION_ADD:
        if not ids:
            raise DomainError("duty.error.no_members_given")
        for member_id in ids:
            if member_id in members:
                raise Conflict(
                    "duty.error.already_in_rotation",
                    **names([member_id]),
                    rotation=rotation_name,
                )
        if len(set(ids)) != len(ids):
            raise DomainError("duty.error.duplicate_member", **names(ids[:1]))
        new_members = members + ids
        anchor_index = _continue_index(members, new_members, pos)
    elif change.action in (ACTION_REMOVE, ACTION_LEAVE):
        if not ids:
            raise DomainError("duty.error.no_members_given")
        for member_id in ids:
            if member_id not in members:
                raise NotFound(
                    "duty.error.not_in_rotation",
                    **names([member_id]),
                    rotation=rotation_name,
                )
        on_now = set(compiled.people_at(now))
        for member_id in ids:
            if member_id in on_now and day == current_today:
                raise Conflict("duty.error.remove_on_duty", **names([member_id]))
        new_members = [m for m in members if m not in ids]
        if not new_members:
            raise DomainError("duty.error.would_be_empty", rotation=rotation_name)
        anchor_index = _continue_index(members, new_members, pos)
    elif change.action == ACTION_SWAP:
        if len(ids) != 2:
            raise DomainError("duty.error.swap_needs_two")
        a, b = ids
        if a == b:
            raise DomainError("duty.error.swap_self", **names([a]))
        for member_id in ids:
            if member_id not in members:
                raise NotFound(
                    "duty.error.not_in_rotation",
                    **names([member_id]),
                    rotation=rotation_name,
                )
        new_members = list(members)
        i, j = new_members.index(a), new_members.index(b)
        new_members[i], new_members[j] = b, a
        anchor_index = pos  # positions keep their dates; the two people trade places
    elif change.action == ACTION_REPLAN:
        if len(ids) != 1:
            raise DomainError("duty.error.replan_needs_one")
        if not members:
            raise DomainError("duty.error.empty_rotation", rotation=rotation_name)
        if ids[0] not in members:
            raise NotFound("duty.error.not_in_rotation", **names(ids), rotation=rotation_name)
        calendar = compiled.calendars[old.calendar]
        anchor_date = calendar.next_active(day) or day
        anchor_index = members.index(ids[0])
    elif change.action == ACTION_PARAMS:
        anchor_index = pos
    else:
        raise DomainError("duty.error.bad_action", action=change.action)
    turn_days = old.turn_days if change.turn_days is None else change.turn_days
    people_per_turn = (
        old.people_per_turn if change.people_per_turn is None else change.people_per_turn
    )
    handoff_time = change.handoff_time or old.handoff.strftime("%H:%M")
    calendar_mode = change.calendar or old.calendar
    check_params(turn_days, people_per_turn, handoff_time, calendar_mode)
    new_version = VersionSpec(
        effective_at=effective,
        member_ids=tuple(new_members),
        anchor_date=anchor_date,
        anchor_index=anchor_index % max(1, len(new_members)),
        turn_days=turn_days,
        people_per_turn=people_per_turn,
        handoff=parse_hhmm(handoff_time),
        calendar=calendar_mode,
    )
    return new_version


def refuse_pending_joins(
    spec: RotationSpec,
    ids: Sequence[int],
    now: datetime,
    *,
    rotation_name: str,
    names: Callable[[Sequence[int]], dict[str, str]] = _ids_as_names,
) -> None:
    """Conflict ``duty.error.already_joining`` naming the day when a person to add is not in
    the rotation now but a change still to come (of all ``spec``'s versions) puts them in: the
    add sent again while the first waits for its day answered 「已经在「技术」轮值里了」 of
    someone not in it until then, and the same add for today a refusal about the pending
    change (tester s26 A-10)."""
    current = CompiledRotation(spec).version_at(now)
    present = set(current.member_ids) if current is not None else set()
    for member_id in ids:
        if member_id in present:
            continue
        joining = next(
            (v for v in spec.versions if v.effective_at > now and member_id in v.member_ids),
            None,
        )
        if joining is not None:
            day = duty_date_at(joining.effective_at, joining.handoff, spec.timezone)
            raise Conflict(
                "duty.error.already_joining",
                **names([member_id]),
                rotation=rotation_name,
                date=day.isoformat(),
            )


def _continue_index(old: list[int], new: list[int], position: int) -> int:
    """Where the order continues in ``new``: the old turn holder, or the next one still there."""
    if not old or not new:
        return 0
    for step in range(len(old)):
        candidate = old[(position + step) % len(old)]
        if candidate in new:
            return new.index(candidate)
    return 0
