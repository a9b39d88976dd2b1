"""Where a test run's time goes: each test phase's wall time, by backend, file and worker.

As a pytest plugin (``-p benchmarks.suite_phases``, from the repository's root with
``python -m pytest`` so the package is importable) it writes one JSON line per phase (set-up,
call, teardown: nodeid, seconds, end time, xdist worker, load average) and one per worker when
its collection ends (its CPU seconds so far), into ``$SUITE_PHASES_OUT/<pid>.jsonl`` (default
``/tmp/suite-phases``). ``--durations`` tells the slowest phases; this tells the sums, which
backend's set-up costs what, and how the workers finish (one left alone on a big file?).

Run: ``TEAMASSIST_TEST_ALL_BACKENDS=1 .venv/bin/python -m pytest -n 2 --dist loadfile
-p benchmarks.suite_phases``, then ``.venv/bin/python -m benchmarks.suite_phases [DIR]``; with
two folders, the tests both runs finished, phase by phase (a stopped run compares too).
"""

from __future__ import annotations

import json
import os
import re
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, TextIO

import pytest

DEFAULT_OUT = "/tmp/suite-phases"
_BACKEND = re.compile(r"\[(sqlite|postgresql|mysql)\b")
_out: TextIO | None = None
_cpu_mark = 0.0


def cpu_now() -> float:
    """This process's CPU seconds (every thread) plus its reaped children's (the product
    processes a test started and waited for: serve, worker, CLI, Chromium)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _write(record: dict[str, Any]) -> None:
    global _out
    if _out is None:
        folder = Path(os.environ.get("SUITE_PHASES_OUT", DEFAULT_OUT))
        folder.mkdir(parents=True, exist_ok=True)
        _out = (folder / f"{os.getpid()}.jsonl").open("a", buffering=1, encoding="utf-8")
    record["w"] = os.environ.get("PYTEST_XDIST_WORKER", "main")
    _out.write(json.dumps(record) + "\n")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """One line per phase: its wall and CPU seconds and when it ended. A phase's CPU is the
    worker's since the previous phase ended, so pytest's own work between tests is counted in
    the next test's set-up (small next to a fixture's)."""
    global _cpu_mark
    yield
    now = cpu_now()
    cpu, _cpu_mark = now - _cpu_mark, now
    _write(
        {
            "id": item.nodeid,
            "when": call.when,
            "s": call.duration,
            "cpu": cpu,
            "end": call.stop,
            "load": os.getloadavg()[0],
        }
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    """One line per process when its collection ends, with its CPU seconds so far."""
    global _cpu_mark
    _cpu_mark = cpu_now()
    _write({"collected": len(session.items), "end": time.time(), "cpu": _cpu_mark})


def read(folder: Path) -> tuple[dict[str, dict[str, float]], list[dict[str, Any]]]:
    """The phases by test id (``{"setup": s, "call": s, "teardown": s}``, and CPU seconds
    under ``"setup cpu"``… when the run recorded them) and the raw lines."""
    rows = [
        json.loads(line)
        for path in sorted(folder.glob("*.jsonl"))
        for line in path.read_text("utf-8").splitlines()
    ]
    phases: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        if "id" in row:
            phases[row["id"]][row["when"]] = row["s"]
            if "cpu" in row:
                phases[row["id"]][f"{row['when']} cpu"] = row["cpu"]
    return phases, rows


def _wall(times: dict[str, float]) -> float:
    return sum(times.get(when, 0.0) for when in ("setup", "call", "teardown"))


def _cpu(times: dict[str, float]) -> float:
    return sum(times.get(f"{when} cpu", 0.0) for when in ("setup", "call", "teardown"))


def backend(nodeid: str) -> str:
    """The backend a test id runs on (its ``db_url`` parameter), or ``none``."""
    found = _BACKEND.search(nodeid)
    return found.group(1) if found else "none"


def summary(folder: Path, top: int = 15) -> None:
    """Print the sums by backend, the costliest files and each worker's end."""
    phases, rows = read(folder)
    by: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0, 0.0])
    files: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for nodeid, times in phases.items():
        sums = by[backend(nodeid)]
        sums[0] += 1
        sums[1] += times.get("setup", 0.0)
        sums[2] += times.get("call", 0.0) + times.get("teardown", 0.0)
        sums[3] += times.get("setup cpu", 0.0)
        sums[4] += times.get("call cpu", 0.0) + times.get("teardown cpu", 0.0)
        files[nodeid.split("::")[0]][0] += _wall(times)
        files[nodeid.split("::")[0]][1] += _cpu(times)
    print(f"{len(phases)} tests; backend, tests, set-up s, call + teardown s (wall; then CPU)")
    for name, (count, setup, rest, setup_cpu, rest_cpu) in sorted(by.items()):
        print(f"  {name:10} {count:5.0f} {setup:9.0f} {rest:9.0f} {setup_cpu:9.0f} {rest_cpu:9.0f}")
    print("costliest files by CPU (wall s, CPU s, all phases)")
    for name, (wall, cpu) in sorted(files.items(), key=lambda item: -item[1][1])[:top]:
        print(f"  {wall:7.0f} {cpu:7.0f} {name}")
    starts = [row["end"] for row in rows if "collected" in row]
    for row in rows:
        if "collected" in row:
            print(f"  {row['w']}: collected {row['collected']}, {row['cpu']:.1f} s CPU")
    ends: dict[str, float] = defaultdict(float)
    for row in rows:
        if "id" in row:
            ends[row["w"]] = max(ends[row["w"]], row["end"])
    first = min(starts) if starts else min(ends.values(), default=0.0)
    for worker, end in sorted(ends.items()):
        print(f"  {worker}: last test ended {end - first:.0f} s after collection")


def compare(before: Path, after: Path) -> None:
    """The tests both runs finished, summed phase by phase and by backend."""
    a, _ = read(before)
    b, _ = read(after)
    both = sorted(set(a) & set(b))
    print(f"{len(both)} tests in both; backend, phase, before s, after s (wall; CPU if recorded)")
    for name in ("sqlite", "postgresql", "mysql", "none"):
        ids = [nodeid for nodeid in both if backend(nodeid) == name]
        for when in ("setup", "call", "teardown"):
            old = sum(a[nodeid].get(when, 0.0) for nodeid in ids)
            new = sum(b[nodeid].get(when, 0.0) for nodeid in ids)
            old_cpu = sum(a[nodeid].get(f"{when} cpu", 0.0) for nodeid in ids)
            new_cpu = sum(b[nodeid].get(f"{when} cpu", 0.0) for nodeid in ids)
            print(f"  {name:10} {when:8} {old:8.0f} {new:8.0f} {old_cpu:8.0f} {new_cpu:8.0f}")


if __name__ == "__main__":
    folders = [Path(arg) for arg in sys.argv[1:]] or [Path(DEFAULT_OUT)]
    if len(folders) == 2:
        compare(*folders)
    else:
        summary(folders[0])
