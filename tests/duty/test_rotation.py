"""The schedule as a pure function: turns, hand-offs, versions, swaps, overrides (no database)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from teamassist.duty.planning import RosterChange, plan_change
from teamassist.duty.rotation import (
    SOURCE_OVERRIDE,
    SOURCE_SWAP,
    CompiledRotation,
    OverrideSpec,
    RotationSpec,
    SwapSpec,
    VersionSpec,
    compute_shifts,
    day_start,
    duty_date_at,
    on_duty_at,
)
from teamassist.exceptions import DomainError

TZ = "Asia/Shanghai"
START = date(2026, 6, 1)  # a Monday
T0 = day_start(START, time(3, 0), TZ)


def spec(
    members: tuple[int, ...] = (1, 2, 3),
    *,
    turn_days: int = 1,
    people_per_turn: int = 1,
    handoff: time = time(3, 0),
    calendar: str = "all",
    overrides: tuple[OverrideSpec, ...] = (),
    swaps: tuple[SwapSpec, ...] = (),
    exceptions: dict[date, bool] | None = None,
    tz: str = TZ,
) -> RotationSpec:
    return RotationSpec(
        id=1,
        timezone=tz,
        versions=(
            VersionSpec(
                effective_at=day_start(START, handoff, tz),
                member_ids=members,
                anchor_date=START,
                turn_days=turn_days,
                people_per_turn=people_per_turn,
                handoff=handoff,
                calendar=calendar,
            ),
        ),
        overrides=overrides,
        swaps=swaps,
        exceptions=exceptions or {},
    )


def by_day(rotation: RotationSpec, days: int = 7) -> dict[date, tuple[int, ...]]:
    shifts = compute_shifts(rotation, T0, T0 + timedelta(days=days))
    return {s.duty_date: s.member_ids for s in shifts}


def local(hour: int, minute: int = 0, day: date = START) -> datetime:
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=UTC) - timedelta(hours=8)


def test_daily_rotation_cycles_through_members() -> None:
    assert list(by_day(spec()).values()) == [(1,), (2,), (3,), (1,), (2,), (3,), (1,)]


def test_handoff_at_local_wall_clock_time() -> None:
    rotation = spec()
    # 02:59 on June 2nd still belongs to June 1st's duty day (the seed's day starts at 03:00)
    assert on_duty_at(rotation, local(2, 59, date(2026, 6, 2))) == (1,)
    assert on_duty_at(rotation, local(3, 0, date(2026, 6, 2))) == (2,)
    assert duty_date_at(local(2, 59, date(2026, 6, 2)), time(3, 0), TZ) == START


def test_before_the_first_turn_nobody_is_on_duty() -> None:
    assert on_duty_at(spec(), T0 - timedelta(seconds=1)) == ()


def test_turns_of_several_days_and_several_people() -> None:
    rotation = spec((1, 2, 3, 4), turn_days=2, people_per_turn=2)
    days = list(by_day(rotation, 6).values())
    assert days == [(1, 2), (1, 2), (3, 4), (3, 4), (1, 2), (1, 2)]
    shifts = compute_shifts(rotation, T0, T0 + timedelta(days=1))
    assert shifts[0].primary == 1


def test_weekly_turns_hand_off_on_monday() -> None:
    rotation = spec((1, 2), turn_days=7, handoff=time(9, 0))
    monday_next = date(2026, 6, 8)
    assert on_duty_at(rotation, local(8, 59, monday_next)) == (1,)
    assert on_duty_at(rotation, local(9, 0, monday_next)) == (2,)


def test_weekdays_calendar_skips_days_not_people() -> None:
    rotation = spec(calendar="weekdays")
    days = by_day(rotation, 8)
    assert date(2026, 6, 6) not in days and date(2026, 6, 7) not in days
    # Mon..Fri = 1,2,3,1,2 then the next Monday continues with 3
    assert [days[d] for d in sorted(days)] == [(1,), (2,), (3,), (1,), (2,), (3,)]


def test_exception_dates_override_the_calendar() -> None:
    rotation = spec(
        calendar="weekdays", exceptions={date(2026, 6, 6): True, date(2026, 6, 2): False}
    )
    days = by_day(rotation, 7)
    assert date(2026, 6, 2) not in days
    # active: Mon, Wed, Thu, Fri and the extra Saturday; Sunday stays off
    assert sorted(days) == [date(2026, 6, d) for d in (1, 3, 4, 5, 6)]
    assert [days[d] for d in sorted(days)] == [(1,), (2,), (3,), (1,), (2,)]


def test_override_someone_and_nobody() -> None:
    someone = OverrideSpec(1, local(12, 0), local(18, 0), 9)
    nobody = OverrideSpec(2, local(18, 0), local(20, 0), None)
    rotation = spec(overrides=(someone, nobody))
    assert on_duty_at(rotation, local(11, 59)) == (1,)
    assert on_duty_at(rotation, local(12, 0)) == (9,)
    assert on_duty_at(rotation, local(19, 0)) == ()
    assert on_duty_at(rotation, local(20, 0)) == (1,)
    shifts = compute_shifts(rotation, T0, T0 + timedelta(days=1))
    assert [(s.source, s.member_ids) for s in shifts] == [
        ("rotation", (1,)),
        (SOURCE_OVERRIDE, (9,)),
        (SOURCE_OVERRIDE, ()),
        ("rotation", (1,)),
    ]
    assert all(a.end == b.start for a, b in itertools.pairwise(shifts))


def test_override_spanning_days_is_cut_at_handoffs() -> None:
    o = OverrideSpec(1, T0 + timedelta(hours=5), T0 + timedelta(days=2, hours=5), 9)
    shifts = [
        s
        for s in compute_shifts(spec(overrides=(o,)), T0, T0 + timedelta(days=3))
        if s.source == SOURCE_OVERRIDE
    ]
    assert [s.duty_date for s in shifts] == [START, date(2026, 6, 2), date(2026, 6, 3)]


def test_later_override_wins_where_two_overlap() -> None:
    first = OverrideSpec(1, local(10), local(20), 8)
    second = OverrideSpec(2, local(12), local(14), 9)
    rotation = spec(overrides=(first, second))
    assert on_duty_at(rotation, local(11)) == (8,)
    assert on_duty_at(rotation, local(13)) == (9,)
    assert on_duty_at(rotation, local(15)) == (8,)


def test_swap_bound_to_shifts() -> None:
    # 1 is on duty June 1 and 4, 2 on June 2: 1 gives June 4 to 2 and takes June 2
    swap = SwapSpec(
        1, member_a=1, date_a=date(2026, 6, 4), member_b=2, date_b=date(2026, 6, 2), applies_from=T0
    )
    days = by_day(spec(swaps=(swap,)))
    assert days[date(2026, 6, 2)] == (1,)
    assert days[date(2026, 6, 4)] == (2,)
    assert days[date(2026, 6, 5)] == (2,)
    shifts = compute_shifts(spec(swaps=(swap,)), T0, T0 + timedelta(days=7))
    assert {s.source for s in shifts if s.duty_date == date(2026, 6, 2)} == {SOURCE_SWAP}


def test_swap_applies_only_from_its_creation() -> None:
    created = local(15)
    swap = SwapSpec(1, member_a=1, date_a=START, member_b=3, date_b=None, applies_from=created)
    rotation = spec(swaps=(swap,))
    assert on_duty_at(rotation, local(14)) == (1,)
    assert on_duty_at(rotation, local(16)) == (3,)
    cancelled = SwapSpec(1, 1, START, 3, None, applies_from=created, applies_until=local(17))
    assert on_duty_at(spec(swaps=(cancelled,)), local(18)) == (1,)


def test_shift_pieces_are_sorted_and_tile_the_window() -> None:
    shifts = compute_shifts(spec(), T0 + timedelta(hours=2), T0 + timedelta(days=3, hours=2))
    assert shifts[0].start == T0 + timedelta(hours=2)
    assert shifts[-1].end == T0 + timedelta(days=3, hours=2)
    assert all(a.end == b.start for a, b in itertools.pairwise(shifts))


def test_people_at_agrees_with_shifts() -> None:
    o = OverrideSpec(1, local(12), local(13, 30, date(2026, 6, 3)), None)
    swap = SwapSpec(2, 2, date(2026, 6, 5), 3, None, applies_from=T0)
    rotation = spec(
        (1, 2, 3, 4),
        turn_days=2,
        people_per_turn=2,
        overrides=(o,),
        swaps=(swap,),
        calendar="weekdays",
    )
    compiled = CompiledRotation(rotation)
    shifts = compiled.shifts(T0, T0 + timedelta(days=14))
    for shift in shifts:
        assert compiled.people_at(shift.start) == shift.member_ids
        assert compiled.people_at(shift.end - timedelta(seconds=1)) == shift.member_ids


# -- planning (edits as versions) ----------------------------------------------------------------


def test_add_member_keeps_todays_holder_and_continues_the_order() -> None:
    rotation = spec()
    now = local(9, 0, date(2026, 6, 2))  # 2 is on duty
    version = plan_change(rotation, RosterChange("add", (4,)), now)
    after = RotationSpec(1, TZ, (*rotation.versions, version))
    assert on_duty_at(after, now) == (2,)
    days = [on_duty_at(after, local(9, 0, date(2026, 6, d))) for d in range(2, 7)]
    assert days == [(2,), (3,), (4,), (1,), (2,)]


def test_remove_today_on_duty_refused() -> None:
    now = local(9)
    with pytest.raises(DomainError) as refused:
        plan_change(spec(), RosterChange("remove", (1,)), now)
    assert refused.value.key == "duty.error.remove_on_duty"
    # from tomorrow it is allowed, and the order continues with the next person
    version = plan_change(spec(), RosterChange("remove", (2,), date(2026, 6, 2)), now)
    after = RotationSpec(1, TZ, (*spec().versions, version))
    assert on_duty_at(after, local(9, 0, date(2026, 6, 2))) == (3,)
    assert on_duty_at(after, local(9, 0, date(2026, 6, 3))) == (1,)


def test_swap_positions_trades_dates() -> None:
    now = local(9)
    version = plan_change(spec(), RosterChange("swap", (1, 3)), now)
    after = RotationSpec(1, TZ, (*spec().versions, version))
    assert on_duty_at(after, now) == (3,)
    assert on_duty_at(after, local(9, 0, date(2026, 6, 3))) == (1,)


def test_replan_starts_with_the_named_person() -> None:
    version = plan_change(spec(), RosterChange("replan", (3,)), local(9))
    after = RotationSpec(1, TZ, (*spec().versions, version))
    assert on_duty_at(after, local(9, 1)) == (3,)
    assert on_duty_at(after, local(9, 0, date(2026, 6, 2))) == (1,)
    # the morning before the change is untouched
    assert on_duty_at(after, local(8, 59)) == (1,)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (RosterChange("swap", (1, 1)), "duty.error.swap_self"),
        (RosterChange("swap", (1, 9)), "duty.error.not_in_rotation"),
        (RosterChange("add", (1,)), "duty.error.already_in_rotation"),
        (RosterChange("remove", (9,)), "duty.error.not_in_rotation"),
        (RosterChange("add", (4,), date(2026, 5, 31)), "duty.error.past_date"),
        (RosterChange("replan", (9,)), "duty.error.not_in_rotation"),
        (RosterChange("params", turn_days=0), "duty.error.bad_turn_days"),
        (RosterChange("params", handoff_time="25:00"), "duty.error.bad_time"),
    ],
)
def test_bad_changes_are_refused(change: RosterChange, key: str) -> None:
    with pytest.raises(DomainError) as refused:
        plan_change(spec(), change, local(9))
    assert refused.value.key == key


def test_empty_rotation_cannot_be_replanned() -> None:
    with pytest.raises(DomainError) as refused:
        plan_change(spec(()), RosterChange("replan", (1,)), local(9))
    assert refused.value.key == "duty.error.empty_rotation"


def test_change_before_a_pending_one_is_refused() -> None:
    future = plan_change(spec(), RosterChange("add", (4,), date(2026, 6, 10)), local(9))
    pending = RotationSpec(1, TZ, (*spec().versions, future))
    with pytest.raises(DomainError) as refused:
        plan_change(pending, RosterChange("add", (5,)), local(9))
    assert refused.value.key == "duty.error.pending_change"


def test_an_edit_after_half_a_swap_happened_never_undoes_that_half() -> None:
    # 2 gives June 2 to 3 and takes 3's June 6; June 2 is served by 3
    swap = SwapSpec(1, 2, date(2026, 6, 2), 3, date(2026, 6, 6), applies_from=local(9))
    rotation = spec(swaps=(swap,))
    assert on_duty_at(rotation, local(12, 0, date(2026, 6, 2))) == (3,)
    # on June 3, 3 leaves the rotation from June 4: the June 6 half can no longer happen
    now = local(9, 0, date(2026, 6, 3))
    version = plan_change(rotation, RosterChange("remove", (3,), date(2026, 6, 4)), now)
    after = RotationSpec(1, TZ, (*rotation.versions, version), swaps=(swap,))
    assert on_duty_at(after, local(12, 0, date(2026, 6, 2))) == (3,)  # the past stands
    assert 3 not in on_duty_at(after, local(12, 0, date(2026, 6, 6)))
    assert [s.id for s in CompiledRotation(after).broken_swaps(version.effective_at)] == [1]


def test_an_edit_before_a_swap_starts_cancels_it_whole() -> None:
    swap = SwapSpec(1, 2, date(2026, 6, 5), 3, date(2026, 6, 6), applies_from=local(9))
    rotation = spec(swaps=(swap,))
    version = plan_change(rotation, RosterChange("remove", (3,), date(2026, 6, 3)), local(10))
    after = CompiledRotation(RotationSpec(1, TZ, (*rotation.versions, version), swaps=(swap,)))
    assert [s.id for s in after.broken_swaps(version.effective_at)] == [1]
    # the service then ends the swap from the edit on: nothing of it applies any more
    ended = replace(swap, applies_until=version.effective_at)
    final = CompiledRotation(RotationSpec(1, TZ, (*rotation.versions, version), swaps=(ended,)))
    plain = CompiledRotation(RotationSpec(1, TZ, (*rotation.versions, version)))
    for day in (5, 6):
        at = local(12, 0, date(2026, 6, day))
        assert final.people_at(at) == plain.people_at(at)
