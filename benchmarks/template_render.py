"""What the general cap costs a render (tester s27 B-1): the default weekly report template,
in this process (``templating.render_here``, as every render was before) beside the render
host (``documents.render_markdown``: a fork of the host per call, the memory and time limits).

Targets, timed in turn, interleaved, ``reps`` rounds of ``calls`` each (after a warm-up; the
host is started by the warm-up, as a server's first report starts it):

- **team, in process** / **team, host**: the sample context (``kinds.sample_context()``) with
  ``people`` members, one document;
- **pack, in process** / **pack, host one by one** / **pack, host batched**: a per-person pack,
  the team's document and one per member (``people`` + 1 renders): in this process, as
  ``people`` + 1 host calls, and as the one ``render_many`` call ``build_pack`` makes.

Reported: p50/p99 per target in milliseconds, the CPU per call of this process and of the host
with its children (from ``/proc``: what the cap costs the machine, whatever the load), and
each p50's ratio to its in-process twin, with the load average (the machine is shared). Run:
``python -m benchmarks.template_render [--people 50 --calls 20 --reps 3]``.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.okr_team import percentile
from teamassist import documents
from teamassist.documents import sandbox, templating
from teamassist.reports import kinds

PACKAGE = "teamassist.reports"


def contexts(people: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The team's context with ``people`` members (the sample's one, renamed), and one context
    per member holding only that member."""
    sample = kinds.sample_context()
    member = sample["members"][0]
    members = []
    for n in range(people):
        one = copy.deepcopy(member)
        one["name"] = f"成员{n}"
        members.append(one)
    team = {**sample, "members": members}
    return team, [{**team, "title": f"周报-{m['name']}", "members": [m]} for m in members]


def run(people: int = 50, *, calls: int = 20, reps: int = 3) -> dict[str, list[float]]:
    """Seconds per call per target (wall), ``<target>#cpu``: this process's CPU, and
    ``<target>#host``: the render host's and its children's."""
    source = documents.default_source("weekly.md.j2", package=PACKAGE)
    team, persons = contexts(people)
    pack = [team, *persons]

    def here(context: dict[str, Any]) -> str:
        return templating.render_here(source, context, package=PACKAGE)

    def host(context: dict[str, Any]) -> str:
        return documents.render_markdown(source, context, package=PACKAGE)

    targets: dict[str, Callable[[], object]] = {
        "team, in process": lambda: here(team),
        "team, host": lambda: host(team),
        "pack, in process": lambda: [here(c) for c in pack],
        "pack, host one by one": lambda: [host(c) for c in pack],
        "pack, host batched": lambda: documents.render_many(source, pack, package=PACKAGE),
    }
    assert targets["team, host"]() == targets["team, in process"]()  # same text; warm-up
    assert targets["pack, host batched"]() == targets["pack, in process"]()
    samples: dict[str, list[float]] = {name: [] for name in targets}
    samples.update({f"{name}#cpu": [] for name in targets})
    samples.update({f"{name}#host": [] for name in targets})
    render_host = sandbox.pool()._host
    assert render_host is not None
    for _ in range(reps):
        for name, call in targets.items():
            for _ in range(calls if name.startswith("team") else max(calls // 5, 1)):
                began, cpu, hosted = (
                    time.perf_counter(),
                    time.process_time(),
                    _cpu(render_host.process.pid),
                )
                call()
                samples[name].append(time.perf_counter() - began)
                samples[f"{name}#cpu"].append(time.process_time() - cpu)
                samples[f"{name}#host"].append(_cpu(render_host.process.pid) - hosted)
    documents.stop_sandbox()
    return samples


def _cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and of its children it waited for (utime stime cutime cstime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    samples = run(args.people, calls=args.calls, reps=args.reps)
    for name in [n for n in samples if "#" not in n]:
        wall, cpu, host = samples[name], samples[f"{name}#cpu"], samples[f"{name}#host"]
        twin = samples[name.split(",")[0] + ", in process"]
        ratio = percentile(wall, 50) / percentile(twin, 50)
        print(
            f"{name:<24} p50 {percentile(wall, 50) * 1000:8.2f} ms  p99 "
            f"{percentile(wall, 99) * 1000:8.2f} ms  CPU: this process "
            f"{statistics.mean(cpu) * 1000:7.2f} ms, host {statistics.mean(host) * 1000:7.2f} ms"
            f"  {ratio:5.2f}x in process  (n={len(wall)})"
        )
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
