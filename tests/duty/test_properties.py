"""Property tests of the schedule: single primary, fair turns over active days, no edit changes
the past, hand-offs at the local wall-clock time across DST."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from teamassist.duty.calendar import WorkCalendar
from teamassist.duty.planning import RosterChange, plan_change
from teamassist.duty.rotation import (
    CompiledRotation,
    OverrideSpec,
    RotationSpec,
    SwapSpec,
    VersionSpec,
    day_start,
    duty_date_at,
)
from teamassist.exceptions import DomainError

ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York"]
MODES = ["all", "weekdays", "cn_workdays"]
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

handoffs = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
anchors = st.dates(date(2024, 1, 1), date(2026, 10, 1))


@st.composite
def rotations(draw: st.DrawFn, *, zones: list[str] = ZONES) -> RotationSpec:
    n = draw(st.integers(1, 6))
    tz = draw(st.sampled_from(zones))
    anchor = draw(anchors)
    handoff = draw(handoffs)
    exceptions = draw(
        st.dictionaries(st.dates(anchor, anchor + timedelta(days=120)), st.booleans(), max_size=6)
    )
    return RotationSpec(
        id=1,
        timezone=tz,
        versions=(
            VersionSpec(
                effective_at=day_start(anchor, handoff, tz),
                member_ids=tuple(range(1, n + 1)),
                anchor_date=anchor,
                anchor_index=draw(st.integers(0, n - 1)),
                turn_days=draw(st.integers(1, 10)),
                people_per_turn=draw(st.integers(1, 3)),
                handoff=handoff,
                calendar=draw(st.sampled_from(MODES)),
            ),
        ),
        exceptions=exceptions,
    )


def _merged(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if out and out[-1][1] >= start:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


@PROPERTY
@given(rotation=rotations(), offset_hours=st.integers(0, 24 * 60))
def test_exactly_one_primary_at_every_instant_of_the_active_window(
    rotation: RotationSpec, offset_hours: int
) -> None:
    version = rotation.versions[0]
    compiled = CompiledRotation(rotation)
    calendar = WorkCalendar(version.calendar, rotation.exceptions)
    start = version.effective_at
    end = start + timedelta(days=60)
    shifts = compiled.shifts(start, end)
    # every piece has exactly one primary, who is a member; pieces never overlap
    for shift in shifts:
        assert shift.primary in version.member_ids
        assert len(set(shift.member_ids)) == len(shift.member_ids)
        assert shift.start < shift.end
    assert all(a.end <= b.start for a, b in itertools.pairwise(shifts))
    # together they cover exactly the active duty days
    active = [
        (
            day_start(d, version.handoff, rotation.timezone),
            day_start(d + timedelta(days=1), version.handoff, rotation.timezone),
        )
        for d in (version.anchor_date + timedelta(days=i) for i in range(61))
        if calendar.is_active(d)
    ]
    clipped = [(max(s, start), min(e, end)) for s, e in active if s < end and e > start]
    assert _merged([(s.start, s.end) for s in shifts]) == _merged(clipped)
    # and the instant view agrees: one primary on active days, nobody otherwise
    at = start + timedelta(hours=offset_hours, minutes=17)
    people = compiled.people_at(at)
    day = duty_date_at(at, version.handoff, rotation.timezone)
    assert (len(people) >= 1) == calendar.is_active(day)


@PROPERTY
@given(rotation=rotations(zones=["Asia/Shanghai"]), rounds=st.integers(1, 3))
def test_fair_turns_over_active_days(rotation: RotationSpec, rounds: int) -> None:
    version = replace(rotation.versions[0], people_per_turn=1)
    rotation = replace(rotation, versions=(version,))
    n, k = len(version.member_ids), version.turn_days
    calendar = WorkCalendar(version.calendar, rotation.exceptions)
    needed = rounds * n * k
    compiled = CompiledRotation(rotation)
    counts: Counter[int] = Counter()
    day = version.anchor_date
    seen = 0
    skipped = 0
    while seen < needed:
        if calendar.is_active(day):
            at = day_start(day, version.handoff, rotation.timezone) + timedelta(minutes=1)
            people = compiled.people_at(at)
            counts[people[0]] += 1
            seen += 1
        else:
            skipped += 1
            at = day_start(day, version.handoff, rotation.timezone) + timedelta(minutes=1)
            assert compiled.people_at(at) == ()  # holidays skip the day...
        day += timedelta(days=1)
    # ...never a person: over rounds·n·k active days everyone has exactly rounds·k days
    assert counts == dict.fromkeys(version.member_ids, rounds * k)


# -- no edit changes the past ------------------------------------------------------------------

edit_kinds = st.sampled_from(["add", "remove", "swap", "replan", "params", "override", "shift"])


@st.composite
def edits(draw: st.DrawFn) -> list[tuple[str, int, int, int, int, int]]:
    return draw(
        st.lists(
            st.tuples(
                edit_kinds,
                st.integers(1, 72),  # hours after the previous edit
                st.integers(0, 5),  # effective in N days (0 = now)
                st.integers(1, 8),  # a member id
                st.integers(1, 8),  # another member id
                st.integers(1, 5),  # a length (days / turn days)
            ),
            min_size=1,
            max_size=8,
        )
    )


def _apply(
    rotation: RotationSpec, edit: tuple[str, int, int, int, int, int], now: datetime, next_id: int
) -> tuple[RotationSpec, datetime]:
    """Apply one edit the way the service does; returns the new spec and its effective time."""
    kind, _hours, in_days, a, b, length = edit
    latest = rotation.versions[-1]
    today = duty_date_at(now, latest.handoff, rotation.timezone)
    day = today + timedelta(days=in_days)
    if kind in {"add", "remove", "swap", "replan", "params"}:
        ids = {"add": (a,), "remove": (a,), "swap": (a, b), "replan": (a,), "params": ()}[kind]
        change = RosterChange(
            kind,
            ids,
            effective_date=day,
            turn_days=length if kind == "params" else None,
            calendar="weekdays" if kind == "params" and length % 2 else None,
        )
        version = plan_change(rotation, change, now)
        return replace(rotation, versions=(*rotation.versions, version)), version.effective_at
    if kind == "override":
        start = max(now, day_start(day, latest.handoff, rotation.timezone))
        end = start + timedelta(hours=6 * length)
        for other in rotation.overrides:
            if other.start < end and other.end > start:
                raise DomainError("duty.error.override_overlap")
        member = a if a % 3 else None
        override = OverrideSpec(next_id, start, end, member)
        return replace(rotation, overrides=(*rotation.overrides, override)), start
    other_day = day + timedelta(days=length) if length % 2 else None
    swap = SwapSpec(next_id, a, day, b, other_day, applies_from=now)
    return replace(rotation, swaps=(*rotation.swaps, swap)), now


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rotation=rotations(zones=["Asia/Shanghai", "Europe/Berlin"]), steps=edits())
def test_no_edit_changes_an_answer_before_its_effective_time(
    rotation: RotationSpec, steps: list[tuple[str, int, int, int, int, int]]
) -> None:
    origin = rotation.versions[0].effective_at
    now = origin
    applied = 0
    for index, edit in enumerate(steps):
        now += timedelta(hours=edit[1])
        before = CompiledRotation(rotation)
        try:
            changed, effective = _apply(rotation, edit, now, index + 1)
        except DomainError:
            continue
        assert effective >= now
        after = CompiledRotation(changed)
        # the whole history up to the effective time is identical, piece by piece
        assert before.shifts(origin, effective) == after.shifts(origin, effective)
        for hours in range(0, int((effective - origin).total_seconds() // 3600), 7):
            at = origin + timedelta(hours=hours)
            assert before.people_at(at) == after.people_at(at)
        rotation = changed
        applied += 1
    assume(applied > 0)


# -- DST ---------------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    tz=st.sampled_from(["Europe/Berlin", "America/New_York"]),
    handoff=handoffs,
    turn_days=st.integers(1, 7),
)
def test_handoffs_at_the_configured_local_time_across_dst(
    tz: str, handoff: time, turn_days: int
) -> None:
    anchor = date(2026, 1, 1)
    rotation = RotationSpec(
        id=1,
        timezone=tz,
        versions=(
            VersionSpec(
                effective_at=day_start(anchor, handoff, tz),
                member_ids=(1, 2, 3),
                anchor_date=anchor,
                turn_days=turn_days,
                handoff=handoff,
            ),
        ),
    )
    start = day_start(anchor, handoff, tz)
    end = day_start(date(2027, 1, 1), handoff, tz)
    shifts = CompiledRotation(rotation).shifts(start, end)
    zone = ZoneInfo(tz)
    in_gap = time(2, 0) <= handoff < time(3, 0)  # both zones spring forward 02:00 → 03:00
    assert len(shifts) == 365
    for a, b in itertools.pairwise(shifts):
        assert a.end == b.start  # no gap, no overlap
    for shift in shifts:
        hours = (shift.end - shift.start).total_seconds() / 3600
        assert hours in {23.0, 24.0, 25.0}
        wall = shift.start.astimezone(zone)
        if not in_gap:
            assert wall.time() == handoff
            assert wall.date() == shift.duty_date
    # the transition days really were different lengths
    lengths = {(s.end - s.start).total_seconds() / 3600 for s in shifts}
    assert lengths == {23.0, 24.0, 25.0}


def test_dst_transition_days_in_berlin_explicitly() -> None:
    tz = "Europe/Berlin"
    handoff = time(9, 0)
    anchor = date(2026, 3, 27)
    rotation = RotationSpec(
        1,
        tz,
        (VersionSpec(day_start(anchor, handoff, tz), (1, 2), anchor, handoff=handoff),),
    )
    shifts = CompiledRotation(rotation).shifts(
        day_start(anchor, handoff, tz), day_start(date(2026, 3, 31), handoff, tz)
    )
    # 29 March 2026: clocks go 02:00 → 03:00, so the shift of the 28th lasts 23 hours
    assert [(s.end - s.start) / timedelta(hours=1) for s in shifts] == [24, 23, 24, 24]
    assert [s.start.astimezone(ZoneInfo(tz)).hour for s in shifts] == [9, 9, 9, 9]
    assert shifts[2].start == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rotation=rotations(zones=["Asia/Shanghai", "America/New_York"]), steps=edits())
def test_the_instant_view_agrees_with_the_schedule(
    rotation: RotationSpec, steps: list[tuple[str, int, int, int, int, int]]
) -> None:
    origin = rotation.versions[0].effective_at
    now = origin
    for index, edit in enumerate(steps):
        now += timedelta(hours=edit[1])
        try:
            rotation, _ = _apply(rotation, edit, now, index + 1)
        except DomainError:
            continue
    compiled = CompiledRotation(rotation)
    end = now + timedelta(days=10)
    shifts = compiled.shifts(origin, end)
    for shift in shifts:
        assert compiled.people_at(shift.start) == shift.member_ids
        assert compiled.people_at(shift.end - timedelta(seconds=1)) == shift.member_ids
    probe = origin
    while probe < end:
        covering = [s for s in shifts if s.start <= probe < s.end]
        assert len(covering) <= 1
        expected = covering[0].member_ids if covering else ()
        assert compiled.people_at(probe) == expected
        probe += timedelta(hours=5, minutes=11)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rotation=rotations(zones=["Asia/Shanghai", "America/New_York"]), steps=edits())
def test_remembered_duty_days_give_the_same_instant_answers(
    rotation: RotationSpec, steps: list[tuple[str, int, int, int, int, int]]
) -> None:
    """people_at reads a remembered duty day when it holds the instant; the answer is the one
    computed afresh, across hand-offs, overrides and swaps."""
    origin = rotation.versions[0].effective_at
    now = origin
    for index, edit in enumerate(steps):
        now += timedelta(hours=edit[1])
        try:
            rotation, _ = _apply(rotation, edit, now, index + 1)
        except DomainError:
            continue
    end = now + timedelta(days=6)
    probe = origin
    while probe < end:
        warm = CompiledRotation(rotation)
        day = duty_date_at(probe, rotation.versions[-1].handoff, rotation.timezone)
        for near in (day - timedelta(days=1), day, day + timedelta(days=1)):
            warm.day_shifts(near)
        assert warm.people_at(probe) == CompiledRotation(rotation).people_at(probe), probe
        # What a day remembers is the day itself, asked again.
        assert warm.day_shifts(day) == CompiledRotation(rotation).day_shifts(day)
        probe += timedelta(hours=4, minutes=7)


@PROPERTY
@given(
    rotation=rotations(zones=["Asia/Shanghai"]),
    day_a=st.integers(0, 20),
    day_b=st.integers(0, 20),
)
def test_a_swap_only_trades_the_two_shifts(rotation: RotationSpec, day_a: int, day_b: int) -> None:
    version = replace(rotation.versions[0], people_per_turn=1)
    rotation = replace(rotation, versions=(version,))
    compiled = CompiledRotation(rotation)
    start = version.effective_at
    end = start + timedelta(days=25)
    before = compiled.shifts(start, end)
    assume(before)
    by_date = {s.duty_date: s for s in before}
    a_shift = before[min(day_a, len(before) - 1)]
    b_shift = before[min(day_b, len(before) - 1)]
    a, b = a_shift.primary, b_shift.primary
    assume(a is not None and b is not None and a != b and a_shift.duty_date != b_shift.duty_date)
    assert a is not None and b is not None
    swap = SwapSpec(1, a, a_shift.duty_date, b, b_shift.duty_date, applies_from=start)
    after = CompiledRotation(replace(rotation, swaps=(swap,))).shifts(start, end)
    changed = {s.duty_date for s in after if by_date[s.duty_date].member_ids != s.member_ids}
    assert changed == {a_shift.duty_date, b_shift.duty_date}
    hours: Counter[int] = Counter()
    for s in before:
        hours[s.member_ids[0]] -= int((s.end - s.start).total_seconds())
    for s in after:
        hours[s.member_ids[0]] += int((s.end - s.start).total_seconds())
    # nobody else is touched, and the pair's total time is conserved
    assert all(v == 0 for m, v in hours.items() if m not in {a, b})
    assert hours[a] + hours[b] == 0
