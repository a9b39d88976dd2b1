"""`make bench` runs every benchmark in benchmarks/: a module with a main() is listed, unless it
is a by-hand comparison named below with why."""

from __future__ import annotations

from pathlib import Path

from benchmarks.__main__ import BENCHMARKS

FOLDER = Path(__file__).resolve().parents[2] / "benchmarks"

# Tools with a main() that compare two builds and print no ratio to a reference of their own.
BY_HAND = {
    "chat_cpu": (
        "CPU per chat command of this checkout beside another (TEAMASSIST_BENCH_CPU_AGAINST); "
        "make bench's chat_http gives each command's ratio to the bare endpoints"
    ),
}


def test_every_benchmark_module_runs_in_make_bench() -> None:
    runnable = {
        p.stem
        for p in FOLDER.glob("*.py")
        if not p.stem.startswith("_") and "\ndef main() -> None:" in p.read_text("utf-8")
    }
    assert runnable - set(BENCHMARKS) - set(BY_HAND) == set()
    assert set(BENCHMARKS) <= runnable
    assert set(BY_HAND) <= runnable and not set(BY_HAND) & set(BENCHMARKS)
