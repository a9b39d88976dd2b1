"""The duty benchmark's builder and measurements still run (tiny sizes, no timing assertions)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import duty_schedule


def test_the_benchmark_runs_on_a_tiny_schedule() -> None:
    sizes = duty_schedule.Sizes(people=6, overrides=5, swaps=2, edits_per_rotation=1, days=20)
    specs = duty_schedule.build(sizes)
    assert len(specs) == 3
    assert sum(len(s.overrides) for s in specs) == 5
    start, end = duty_schedule.year_window(sizes.days)
    shifts = duty_schedule.final_schedule(specs, start, end)
    assert shifts and all(start <= s.start < s.end <= end for s in shifts)
    assert len(duty_schedule.who_now(specs, start)) == 3
    text = duty_schedule.export(specs, start, end)
    assert duty_schedule.expand_ical(text, start, end) == text.count(b"BEGIN:VEVENT")
    figures = duty_schedule.run(sizes, repeat=2, now_calls=5)
    assert set(figures) >= {"year_cold", "year_warm", "now", "ical_expand", "ratio"}


def test_the_database_benchmark_runs_on_a_tiny_schedule(tmp_path: Path) -> None:
    from benchmarks import duty_now_db

    sizes = duty_schedule.Sizes(people=6, overrides=5, swaps=2, edits_per_rotation=1, days=20)
    figures = duty_now_db.run(sizes, calls=10, folder=tmp_path)
    assert set(figures.samples) == {"cache off", "cache on"}
    assert figures.queries["cache on"] < figures.queries["cache off"]
    assert len(duty_now_db.report(figures)) == 2
