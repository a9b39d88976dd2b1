"""Cold start and idle memory: ``teamassist serve`` beside the bare FastAPI app.

Both are started as fresh processes on the same migrated SQLite file, alternately (product,
bare, product, bare ...), ``REPS`` times each, after one untimed start of each:

- **cold start**: from ``exec`` to the first 200 answer to a comparable request, polled every
  10 ms: the product's ``GET /healthz`` and the bare app's ``POST /bare``, both a JSON answer
  with no database, template or session behind it (the product's ``GET /login`` was measured
  before 2026-12-02: a page, whose template compilation is a first use, not the start);
- **CPU to the first answer**: the process's user + system CPU seconds at that first answer
  (``/proc/<pid>/stat``): the shared machine's load inflates it far less than the wall clock;
- **idle RSS**: the process's resident memory (``/proc/<pid>/status`` VmRSS) two seconds after
  that first answer, the scheduler and delivery worker of the product switched off as in the
  other HTTP benchmarks (``TEAMASSIST_SCHEDULER__ENABLED=false``); for the product also the
  RSS after its first page (``GET /login``) and that page's seconds and CPU (since
  session 18 the routes beyond the core path are built on the first request that needs them:
  this is where their cost went), printed beside it and not part of the ratio;
- **the first chat command**: ``POST /api/v1/chat`` ``/今日值班`` (a duty read, with the API
  token) right after that idle reading and before the page: its seconds, CPU and the RSS after
  it (since session 19 a domain's commands, jobs and services are imported on its first use:
  this is where that cost went). The database holds the demo workspace for it.

Bytecode: an installed server has its modules compiled (pip compiles on install; see
deploy/Dockerfile), while a shell with ``PYTHONDONTWRITEBYTECODE`` set makes every start compile
every module from source, which costs the product (~1,150 modules) far more than the bare app.
Both targets therefore run with a private ``PYTHONPYCACHEPREFIX`` that the untimed first start
fills, so the timed starts measure a start, not a compiler.

Medians are printed with the ratios (issue 9 targets: cold start ≤ 1.5× the bare app, idle RSS
≤ 1.3×). The bare app is :mod:`benchmarks.chat_http_bare` served by ``python -m uvicorn``.

The product is started by the script pip writes for ``[project.scripts]`` of this checkout's
``pyproject.toml`` (:func:`installed_script`, since 2026-12-03: ``teamassist.__main__:main``,
which serves without Typer), not the shared venv's ``teamassist``, written when the venv was
installed and naming the entry point of that time.

``TEAMASSIST_BENCH_STARTUP_AGAINST``: the ``teamassist`` script of another checkout (e.g. a
worktree of main with its own venv) started as a third target, start by start in rotating
order with the other two, so a change is compared with its base under the same load.

Run: ``.venv/bin/python -m benchmarks.startup``.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.server import free_port

from benchmarks.chat_http import prepare

REPS = 5
IDLE_SECONDS = 2.0
# A start took 87 s at load 16 on the shared 2-core machine (2026-12-01), and one went past the
# former 120 s; the limit only stops a start that hangs.
START_LIMIT = 600.0


@dataclass
class Start:
    """One start: seconds to the first 200, resident memory when idle and, for the product,
    after its first page (MiB; NaN when not measured) with that page's seconds and CPU."""

    seconds: float
    rss_mib: float
    page_rss_mib: float = float("nan")
    cpu_seconds: float = float("nan")
    page_seconds: float = float("nan")
    page_cpu_seconds: float = float("nan")
    chat_seconds: float = float("nan")
    chat_cpu_seconds: float = float("nan")
    chat_rss_mib: float = float("nan")


@dataclass
class Figures:
    """Starts of each target."""

    starts: dict[str, list[Start]] = field(default_factory=dict)

    def median(self, name: str, attribute: str) -> float:
        return float(statistics.median(getattr(s, attribute) for s in self.starts[name]))


TOKEN = "bench-startup-token"
CHAT = json.dumps({"text": "/今日值班"}).encode()


def _answered(
    port: int, method: str, path: str, timeout: float = 1.0, body: bytes | None = None
) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        connection.request(method, path, body=body, headers=headers if body else {})
        response = connection.getresponse()
        return response.status == 200 and b'"is_error":true' not in response.read()
    except OSError:
        return False
    finally:
        connection.close()


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    # utime and stime, fields 14 and 15 of /proc/<pid>/stat, after the command's parenthesis
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(
    argv: Sequence[str],
    env: dict[str, str],
    port: int,
    method: str,
    path: str,
    page: str | None = None,
    chat: bytes | None = None,
) -> Start:
    """Start ``argv``, time it to the first 200 on ``path``, read its idle RSS (and its RSS
    after a ``GET`` of ``page`` when one is given), stop it."""
    began = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not _answered(port, method, path):
            if proc.poll() is not None or time.perf_counter() - began > START_LIMIT:
                proc.kill()  # else reading its stderr waits for a process still starting
                error = (proc.stderr.read() if proc.stderr else b"").decode()[-2000:]
                raise RuntimeError(f"{argv[0]} did not answer: {error}")
            time.sleep(0.01)
        seconds = time.perf_counter() - began
        cpu = _cpu_seconds(proc.pid)
        time.sleep(IDLE_SECONDS)
        found = Start(seconds, _rss_mib(proc.pid), cpu_seconds=cpu)
        if chat is not None:
            asked, cpu = time.perf_counter(), _cpu_seconds(proc.pid)
            if not _answered(port, "POST", "/api/v1/chat", timeout=START_LIMIT, body=chat):
                raise RuntimeError(f"{argv[0]}: the first chat command did not answer")
            found.chat_seconds = time.perf_counter() - asked
            found.chat_cpu_seconds = _cpu_seconds(proc.pid) - cpu
            found.chat_rss_mib = _rss_mib(proc.pid)
        if page is not None:
            asked, cpu = time.perf_counter(), _cpu_seconds(proc.pid)
            if not _answered(port, "GET", page, timeout=START_LIMIT):
                raise RuntimeError(f"{argv[0]}: GET {page} did not answer 200")
            found.page_seconds = time.perf_counter() - asked
            found.page_cpu_seconds = _cpu_seconds(proc.pid) - cpu
            found.page_rss_mib = _rss_mib(proc.pid)
        return found
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def installed_script(folder: str) -> str:
    """Write into ``folder`` the ``teamassist`` script pip would install from this checkout's
    ``pyproject.toml`` (the same lines as pip's console-script template, this interpreter in its
    first line) and return its path."""
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    entry = tomllib.loads(pyproject.read_text())["project"]["scripts"]["teamassist"]
    module, _, function = entry.partition(":")
    script = Path(folder) / "teamassist"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"from {module} import {function}\n"
        'if __name__ == "__main__":\n'
        f"    sys.exit({function}())\n"
    )
    script.chmod(0o755)
    return str(script)


def measure(url: str, pycache: str, reps: int = REPS, against: str | None = None) -> Figures:
    """Migrate ``url`` once, start each target once untimed (compiling into ``pycache``), then
    ``reps`` times each, interleaved (with ``against``, another checkout's ``teamassist``
    script, as a third target in rotating order)."""
    prepare(url)  # migrated, with the demo workspace the first chat command reads
    env = {
        **os.environ,
        "TEAMASSIST_DATABASE__URL": url,
        "TEAMASSIST_WEB__API_TOKEN": TOKEN,
        "TEAMASSIST_LOG_LEVEL": "WARNING",
        "TEAMASSIST_SCHEDULER__ENABLED": "false",
        "TEAMASSIST_CONFIG": os.devnull,
        "PYTHONPYCACHEPREFIX": pycache,
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    teamassist = installed_script(str(Path(pycache).parent))

    def serve(script: str) -> Start:
        port = free_port()
        argv = [script, "serve", "--port", str(port)]
        return start(argv, env, port, "GET", "/healthz", page="/login", chat=CHAT)

    def bare() -> Start:
        port = free_port()
        uvicorn = [sys.executable, "-m", "uvicorn", "benchmarks.chat_http_bare:app"]
        argv = [*uvicorn, "--port", str(port), "--log-level", "warning", "--no-access-log"]
        return start(argv, env, port, "POST", "/bare")

    targets = {"product": lambda: serve(teamassist), "bare": bare}
    if against is not None:
        targets["against"] = lambda: serve(against)
    for target in targets.values():
        target()  # untimed: fills the bytecode cache
    figures = Figures({name: [] for name in targets})
    names = list(targets)
    for rep in range(reps):
        for name in names[rep % len(names) :] + names[: rep % len(names)]:
            figures.starts[name].append(targets[name]())
    return figures


def report(figures: Figures) -> list[str]:
    """Lines to print."""
    reps = len(figures.starts["product"])
    lines = [f"-- SQLite, bytecode compiled, {reps} starts each, interleaved; medians"]
    labels = [("bare", "bare FastAPI app"), ("product", "teamassist serve")]
    if "against" in figures.starts:
        labels.append(("against", "serve (AGAINST)"))
    bare_cpu = figures.median("bare", "cpu_seconds")
    for name, label in labels:
        cpu = figures.median(name, "cpu_seconds")
        lines.append(
            f"{label:<18} cold start {figures.median(name, 'seconds'):6.2f} s   "
            f"CPU {cpu:5.2f} s ({cpu / bare_cpu:.2f}×)   "
            f"idle RSS {figures.median(name, 'rss_mib'):6.1f} MiB"
        )
    if "against" in figures.starts:
        start_ratio = figures.median("against", "seconds") / figures.median("bare", "seconds")
        rss_ratio = figures.median("against", "rss_mib") / figures.median("bare", "rss_mib")
        lines.append(f"AGAINST ÷ bare: cold start {start_ratio:.2f}, idle RSS {rss_ratio:.2f}")
    for name, label in labels[1:]:
        lines.append(
            f"{label:<18} first chat command (/今日值班) "
            f"{figures.median(name, 'chat_seconds'):5.2f} s, "
            f"CPU {figures.median(name, 'chat_cpu_seconds'):5.2f} s, "
            f"RSS after it {figures.median(name, 'chat_rss_mib'):6.1f} MiB"
        )
        lines.append(
            f"{label:<18} first page (GET /login) "
            f"{figures.median(name, 'page_seconds'):5.2f} s, "
            f"CPU {figures.median(name, 'page_cpu_seconds'):5.2f} s, "
            f"RSS after it {figures.median(name, 'page_rss_mib'):6.1f} MiB"
        )
    start_ratio = figures.median("product", "seconds") / figures.median("bare", "seconds")
    rss_ratio = figures.median("product", "rss_mib") / figures.median("bare", "rss_mib")
    lines.append(
        f"serve ÷ bare: cold start {start_ratio:.2f} (target ≤ 1.5), "
        f"idle RSS {rss_ratio:.2f} (target ≤ 1.3)"
    )
    return lines


def main() -> None:
    """Print the figures (see the module docstring)."""
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.platform()}")
    against = os.environ.get("TEAMASSIST_BENCH_STARTUP_AGAINST") or None
    print(f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])} (before)")
    with tempfile.TemporaryDirectory() as folder:
        url, pycache = f"sqlite:///{folder}/startup.db", f"{folder}/pycache"
        for line in report(measure(url, pycache, against=against)):
            print(line)
    print(f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])} (after)")


if __name__ == "__main__":
    main()
