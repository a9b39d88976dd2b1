"""Duty schedule benchmark: one year of final schedule, "who is on duty now", and the same year
expanded from the product's own iCal export with recurring-ical-events (Grafana OnCall's way).

Everything is built in memory with the pure functions of ``teamassist.duty.rotation`` (no
database): 50 people in 3 rotations —

- 技术 (tech): daily, China's working days (holidays skipped, 调休 weekends on duty), 20 people;
- 产品 (product): weekly turns, every day, 15 people;
- 值守 (custom): 2-day turns, 2 people per turn (primary + secondary), Mon–Fri, 15 people;

each with two roster edits during the year, 200 random overrides (some to "nobody"; never two
overlapping in one rotation, which the service refuses) and 20 swaps from a seeded RNG. Timings
use ``time.perf_counter`` over several repetitions (median and p95).
"Cold" clears the calendar and time-zone caches before each run; "warm" keeps them (a running
server), but still compiles the rotations from their specs each time, as every request does.

Run: ``.venv/bin/python -m benchmarks.duty_schedule`` (or ``python -m benchmarks``).
"""

from __future__ import annotations

import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

import icalendar
import recurring_ical_events

from teamassist.duty import calendar as work_calendar
from teamassist.duty import ical, rotation
from teamassist.duty.rotation import (
    CompiledRotation,
    OverrideSpec,
    RotationSpec,
    Shift,
    SwapSpec,
    VersionSpec,
    day_start,
)
from teamassist.workdays import official_days

TZ = "Asia/Shanghai"
YEAR = 2026
SEED = 20261122


@dataclass(frozen=True)
class Sizes:
    """How big the generated schedule is."""

    people: int = 50
    overrides: int = 200
    swaps: int = 20
    edits_per_rotation: int = 2
    days: int = 365


def build(sizes: Sizes = Sizes(), *, seed: int = SEED) -> list[RotationSpec]:
    """The benchmark's three rotations as pure specs."""
    rng = random.Random(seed)
    people = list(range(1, sizes.people + 1))
    split_a, split_b = round(sizes.people * 0.4), round(sizes.people * 0.7)
    groups = [people[:split_a], people[split_a:split_b], people[split_b:]]
    shapes = [  # key, name, turn_days, people_per_turn, calendar
        ("tech", "技术", 1, 1, work_calendar.CalendarMode.CN_WORKDAYS.value),
        ("product", "产品", 7, 1, work_calendar.CalendarMode.ALL.value),
        ("custom", "值守", 2, 2, work_calendar.CalendarMode.WEEKDAYS.value),
    ]
    first = date(YEAR, 1, 1)
    year_start = day_start(first, clock_time(3, 0), TZ)
    specs: list[RotationSpec] = []
    override_id = 0
    for index, ((key, name, turn_days, per_turn, mode), members) in enumerate(
        zip(shapes, groups, strict=True)
    ):
        members = members or [people[0]]
        base = VersionSpec(
            effective_at=year_start - timedelta(days=30),
            member_ids=tuple(members),
            anchor_date=first - timedelta(days=30),
            turn_days=turn_days,
            people_per_turn=min(per_turn, len(members)),
            handoff=clock_time(3 + index * 3, 0),
            calendar=mode,
        )
        versions = [base]
        for edit in range(sizes.edits_per_rotation):
            day = first + timedelta(days=(edit + 1) * sizes.days // (sizes.edits_per_rotation + 1))
            order = list(versions[-1].member_ids)
            rng.shuffle(order)
            versions.append(
                replace(
                    versions[-1],
                    effective_at=day_start(day, base.handoff, TZ),
                    member_ids=tuple(order),
                    anchor_date=day,
                    anchor_index=rng.randrange(len(order)),
                )
            )
        specs.append(
            RotationSpec(id=index + 1, timezone=TZ, versions=tuple(versions), key=key, name=name)
        )
    overrides: list[list[OverrideSpec]] = [[] for _ in specs]
    while sum(len(o) for o in overrides) < sizes.overrides:
        target = rng.randrange(len(specs))
        start = year_start + timedelta(hours=rng.randrange(sizes.days * 24))
        end = start + timedelta(hours=rng.choice([2, 4, 8, 24, 48]))
        if any(o.start < end and start < o.end for o in overrides[target]):
            continue  # the service refuses overlapping overrides of one rotation
        override_id += 1
        who = rng.choice([*specs[target].versions[0].member_ids, None])
        overrides[target].append(OverrideSpec(id=override_id, start=start, end=end, member_id=who))
    swaps: list[list[SwapSpec]] = [[] for _ in specs]
    for swap_id in range(1, sizes.swaps + 1):
        target = rng.randrange(len(specs))
        on_duty = specs[target].versions[0].member_ids
        day_a = first + timedelta(days=rng.randrange(sizes.days))
        swaps[target].append(
            SwapSpec(
                id=swap_id,
                member_a=rng.choice(on_duty),
                date_a=day_a,
                member_b=rng.choice(on_duty),
                date_b=day_a + timedelta(days=rng.randrange(1, 7)),
                applies_from=year_start - timedelta(days=1),
            )
        )
    return [
        replace(spec, overrides=tuple(overrides[i]), swaps=tuple(swaps[i]))
        for i, spec in enumerate(specs)
    ]


def year_window(days: int = 365) -> tuple[datetime, datetime]:
    """[start, end) of the benchmark year."""
    start = datetime(YEAR, 1, 1, tzinfo=UTC)
    return start, start + timedelta(days=days)


def final_schedule(specs: list[RotationSpec], start: datetime, end: datetime) -> list[Shift]:
    """The year's final schedule of every rotation (compiled from the specs, as a request does)."""
    return [s for spec in specs for s in CompiledRotation(spec).shifts(start, end)]


def who_now(specs: list[RotationSpec], at: datetime) -> list[tuple[int, ...]]:
    """ "Who is on duty now" over all rotations, compiling each spec (no cache)."""
    return [rotation.on_duty_at(spec, at) for spec in specs]


def export(specs: list[RotationSpec], start: datetime, end: datetime) -> bytes:
    """The product's iCal export of the year (the team's rotations in one calendar)."""
    entries = [
        ical.FeedRotation(id=s.id, name=s.name, shifts=CompiledRotation(s).shifts(start, end))
        for s in specs
    ]
    names = {m: f"成员{m}" for s in specs for v in s.versions for m in v.member_ids}
    return ical.build_calendar(entries, names=names, calendar_name="bench", timezone=TZ, now=start)


def expand_ical(text: bytes, start: datetime, end: datetime) -> int:
    """Parse the export and expand the window with recurring-ical-events; the event count."""
    parsed = icalendar.Calendar.from_ical(text)
    return len(recurring_ical_events.of(parsed).between(start, end))


def clear_caches() -> None:
    """Forget the per-year calendar tables and zone objects (a cold start)."""
    work_calendar.year_table.cache_clear()
    official_days.cache_clear()  # the shared China calendar's per-year table under it
    rotation._zone.cache_clear()


def measure(fn: Callable[[], object], repeat: int, *, cold: bool = False) -> list[float]:
    """Seconds per run of ``fn``."""
    samples = []
    for _ in range(repeat):
        if cold:
            clear_caches()
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return samples


def p95(samples: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _line(label: str, samples: list[float], unit: float = 1e3, suffix: str = "ms") -> str:
    return (
        f"{label:<52} median {statistics.median(samples) * unit:8.3f} {suffix}"
        f"   p95 {p95(samples) * unit:8.3f} {suffix}   (n={len(samples)})"
    )


def run(sizes: Sizes = Sizes(), *, repeat: int = 15, now_calls: int = 2000) -> dict[str, float]:
    """Run every measurement; print the figures and return the medians (seconds)."""
    specs = build(sizes)
    start, end = year_window(sizes.days)
    shifts = final_schedule(specs, start, end)
    overrides = sum(len(s.overrides) for s in specs)
    people = len({m for s in specs for v in s.versions for m in v.member_ids})
    print(
        f"python {sys.version.split()[0]} on {platform.machine()} ({platform.processor() or '-'}),"
        f" {len(specs)} rotations, {people} people, {overrides} overrides,"
        f" {sum(len(s.swaps) for s in specs)} swaps, {len(shifts)} final shift pieces"
    )
    cold = measure(lambda: final_schedule(specs, start, end), repeat, cold=True)
    warm = measure(lambda: final_schedule(specs, start, end), repeat)
    print(_line("year of final schedule, cold caches", cold))
    print(_line("year of final schedule, warm caches", warm))

    rng = random.Random(SEED)
    instants = [start + timedelta(seconds=rng.randrange(sizes.days * 86400)) for _ in range(64)]
    per_call: list[float] = []
    for i in range(now_calls):
        at = instants[i % len(instants)]
        began = time.perf_counter()
        who_now(specs, at)
        per_call.append(time.perf_counter() - began)
    compiled = [CompiledRotation(s) for s in specs]
    per_call_compiled: list[float] = []
    for i in range(now_calls):
        at = instants[i % len(instants)]
        began = time.perf_counter()
        [c.people_at(at) for c in compiled]
        per_call_compiled.append(time.perf_counter() - began)
    cold_now = measure(lambda: who_now(specs, instants[0]), min(repeat, 10), cold=True)
    print(_line("who is on duty now (3 rotations), cold caches", cold_now))
    print(_line("who is on duty now (3 rotations), compile + query", per_call))
    print(_line("who is on duty now (3 rotations), precompiled", per_call_compiled, 1e6, "µs"))

    text = export(specs, start, end)
    export_times = measure(lambda: export(specs, start, end), max(3, repeat // 3))
    events = expand_ical(text, start, end)
    expand_times = measure(lambda: expand_ical(text, start, end), max(3, repeat // 3))
    print(
        _line(f"iCal export of the year ({len(text) // 1024} KiB, {events} events)", export_times)
    )
    print(_line("same year from the export: parse + recurring_ical_events", expand_times))
    ratio = statistics.median(expand_times) / statistics.median(warm)
    print(f"{'ratio iCal expansion / own computation (warm medians)':<52} {ratio:8.1f} ×")
    return {
        "year_cold": statistics.median(cold),
        "year_warm": statistics.median(warm),
        "now": statistics.median(per_call),
        "now_precompiled": statistics.median(per_call_compiled),
        "export": statistics.median(export_times),
        "ical_expand": statistics.median(expand_times),
        "ratio": ratio,
    }


def main() -> None:
    """Print the figures (see the module docstring for what they mean)."""
    run()


if __name__ == "__main__":
    main()
