"""`make bench` runs every benchmark in benchmarks/: a module with a main() is listed."""

from __future__ import annotations

from pathlib import Path

from benchmarks.__main__ import BENCHMARKS

FOLDER = Path(__file__).resolve().parents[2] / "benchmarks"


def test_every_benchmark_module_runs_in_make_bench() -> None:
    runnable = {
        p.stem
        for p in FOLDER.glob("*.py")
        if not p.stem.startswith("_") and "\ndef main() -> None:" in p.read_text("utf-8")
    }
    assert runnable - set(BENCHMARKS) == set()
    assert set(BENCHMARKS) <= runnable
