"""CPU per chat command in one process, this checkout beside another, interleaved (issue #9).

The served figures of :mod:`benchmarks.chat_http` swing by ±15 % on the shared 2 cores; a change
of a few percent shows only in process. Two worker processes, one per checkout (``PYTHONPATH``
to its ``src``), on one database prepared here, each run the same command ``CALLS`` times per
turn, in turn, ``ROUNDS`` rounds (the order flips every round), and report their CPU per call:

- ``thread``: ``chat.api.answer_json`` as the endpoint runs it in its worker thread (the
  caller's lookup with the global token, the command, its transaction, the answer's bytes),
  thread CPU;
- ``asgi``: ``POST /api/v1/chat`` through the whole ASGI app (middlewares, routing, the
  dependencies, the thread-pool hop), one request at a time on an asyncio loop, process CPU. No
  server, no socket, no delivery loop (``start_background=False``): what uvicorn and the
  notices' delivery add is not in it.

Printed per command: each side's median CPU per call (ms), the ratio this ÷ other per round
and its median, statements and transactions per command on each side, the load average before
and after. ``/问题反馈`` writes an item per call on both sides alike; ``/值班签到`` is the double
tap after the first call (see :mod:`benchmarks.chat_http`).

Settings: ``TEAMASSIST_BENCH_CPU_AGAINST`` the other checkout's ``src`` folder (default: this
one's, an A/A run that shows the noise), ``TEAMASSIST_BENCH_CPU_MODE`` (``thread``, ``asgi``
or ``thread,asgi``; default both), ``TEAMASSIST_BENCH_CPU_CALLS`` (100),
``TEAMASSIST_BENCH_CPU_ROUNDS`` (15: short turns, many of them, pair better under a load that
changes by the second), ``TEAMASSIST_BENCH_COMMANDS`` and
``TEAMASSIST_BENCH_BACKENDS`` (``sqlite``, ``postgresql``, ``mysql``; default
``sqlite,postgresql``) as for :mod:`benchmarks.chat_http`; the servers' URLs too (database
``bench_chat_cpu``, or ``TEAMASSIST_BENCH_CPU_DATABASE``).

Run: ``python -m benchmarks.chat_cpu``.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.chat_http import (
    CHOSEN,
    TOKEN,
    _fresh_database,
    chat_body,
    numbered,
    numbered_body,
    prepare,
)

HERE = Path(__file__).resolve().parents[1]
CALLS = int(os.environ.get("TEAMASSIST_BENCH_CPU_CALLS", "100"))
ROUNDS = int(os.environ.get("TEAMASSIST_BENCH_CPU_ROUNDS", "15"))
MODES = [m for m in os.environ.get("TEAMASSIST_BENCH_CPU_MODE", "thread,asgi").split(",") if m]


class Side:
    """One worker process serving one checkout's code."""

    def __init__(self, label: str, src: Path, url: str) -> None:
        self.label = label
        env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{HERE}"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.chat_cpu", "--worker", url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
            cwd=HERE,
        )

    def ask(self, **request: Any) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.label}: the worker ended")
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def measure(url: str, against: Path) -> list[str]:
    """Both sides on ``url``, every chosen command and mode interleaved; the printed lines."""
    prepare(url)
    this = Side("this", HERE / "src", url)
    other = Side("other", against, url)
    lines: list[str] = []
    try:
        counts = {side.label: side.ask(op="count") for side in (this, other)}
        load_before = os.getloadavg()[0]
        for mode in MODES:
            cpu: dict[tuple[str, str], list[float]] = {}
            ratios: dict[str, list[float]] = {name: [] for name in CHOSEN}
            for round_ in range(ROUNDS):
                for name in CHOSEN:
                    order = (this, other) if round_ % 2 == 0 else (other, this)
                    got = {
                        s.label: s.ask(op="run", mode=mode, command=name, calls=CALLS)["ms"]
                        for s in order
                    }
                    for label, ms in got.items():
                        cpu.setdefault((name, label), []).append(ms)
                    ratios[name].append(got["this"] / got["other"])
            for name in CHOSEN:
                this_ms, other_ms = cpu[(name, "this")], cpu[(name, "other")]
                low, _, high = statistics.quantiles(ratios[name], n=4)
                lines.append(
                    f"  {mode:6} {name}: this {statistics.median(this_ms):.3f} ms, other "
                    f"{statistics.median(other_ms):.3f} ms per call; this ÷ other, median of "
                    f"rounds {statistics.median(ratios[name]):.3f} (quartiles {low:.2f}–{high:.2f})"
                )
        load_after = os.getloadavg()[0]
        for name in CHOSEN:
            lines.append(
                f"  statements, transactions {name}: this {tuple(counts['this'][name])}, "
                f"other {tuple(counts['other'][name])}"
            )
        lines.append(f"  load average {load_before:.1f} → {load_after:.1f}")
    finally:
        this.close()
        other.close()
    return lines


def main() -> None:
    """Print the figures (see the module docstring)."""
    against = Path(os.environ.get("TEAMASSIST_BENCH_CPU_AGAINST") or HERE / "src").resolve()
    chosen = os.environ.get("TEAMASSIST_BENCH_BACKENDS", "sqlite,postgresql").split(",")
    print(f"this {HERE / 'src'}, other {against}; {CALLS} calls × {ROUNDS} rounds, {MODES}")
    if "sqlite" in chosen:
        with tempfile.TemporaryDirectory() as folder:
            print("SQLite")
            for line in measure(f"sqlite:///{folder}/bench.db", against):
                print(line, flush=True)
    for backend, label in (("postgresql", "PostgreSQL"), ("mysql", "MariaDB")):
        prefix = "PG" if backend == "postgresql" else "MYSQL"
        server_url = os.environ.get(f"TEAMASSIST_BENCH_{prefix}_URL") or os.environ.get(
            f"TEAMASSIST_TEST_{prefix}_URL"
        )
        if backend in chosen and server_url:
            name = os.environ.get("TEAMASSIST_BENCH_CPU_DATABASE", "bench_chat_cpu")
            print(label)
            for line in measure(_fresh_database(server_url, backend, name), against):
                print(line, flush=True)


# --- the worker: runs in a process of its own, on one checkout's code ----------------------


def worker(url: str) -> None:
    """Answer the parent's requests, one JSON line each, until stdin ends."""
    from teamassist.bootstrap import build_runtime
    from teamassist.chat import api
    from teamassist.config import Settings
    from teamassist.database import StatementCounter
    from teamassist.http import auth
    from teamassist.web.app import create_app

    runtime = build_runtime(Settings(database={"url": url}, web={"api_token": TOKEN}))
    app = create_app(runtime, start_background=False)
    loop = asyncio.new_event_loop()
    state: dict[str, Any] = {}
    lifespan = loop.run_until_complete(_lifespan(app, state))

    def token_lookup(session: Any, *, placed_on: str | None = None) -> Any:
        principal = auth.token_principal(session, placed_on=placed_on)
        assert principal is not None
        return principal

    # what the endpoint's dependency gives for the global token (http.deps); since session 26
    # the lookup that also finds whom it speaks as (a checkout before that has none)
    lookup: Any = token_lookup
    if hasattr(auth, "RootToken"):
        lookup = auth.RootToken(lambda: RuntimeError("no workspace"))

    # the endpoint's work in its thread (``_answer_json`` before session 27)
    answer_json = vars(api).get("answer_json") or vars(api)["_answer_json"]

    def thread_call(name: str) -> None:
        body = numbered_body(chat_body(name))
        answer_json(runtime, lookup, api.ChatRequest.model_validate(body))

    def asgi_calls(name: str, calls: int) -> float:
        # One task for the whole turn: anyio's worker threads end with the task that started
        # them (its root task), so a task per request would start a thread per request, which
        # a server's long-lived task does not.
        return loop.run_until_complete(_posts(app, state, chat_body(name), calls))

    def thread_calls(name: str, calls: int) -> float:
        thread_call(name)
        started = time.thread_time()
        for _ in range(calls):
            thread_call(name)
        return time.thread_time() - started

    for name in CHOSEN:  # warm: statements compiled, rotations cached, the sign-in recorded
        thread_calls(name, 3)
        asgi_calls(name, 3)
    out = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "count":
            counts = {}
            for name in CHOSEN:
                with StatementCounter(runtime.engine) as counter:
                    counter.reset()
                    thread_call(name)
                    counts[name] = (len(counter.statements), counter.transactions)
            out.write(json.dumps(counts) + "\n")
        else:
            run = thread_calls if request["mode"] == "thread" else asgi_calls
            seconds = run(request["command"], request["calls"])
            out.write(json.dumps({"ms": seconds / request["calls"] * 1000}) + "\n")
        out.flush()
    lifespan.cancel()
    loop.run_until_complete(asyncio.gather(lifespan, return_exceptions=True))
    runtime.close()


async def _lifespan(app: Any, state: dict[str, Any]) -> asyncio.Task[Any]:
    """Start the app as a server would (its lifespan's start-up), keeping its state; the
    lifespan's task, waiting for a shut-down that is never sent (cancel it at the end)."""
    started = asyncio.get_running_loop().create_future()
    messages = [{"type": "lifespan.startup"}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the shut-down is never sent
        return {}

    async def send(message: dict[str, Any]) -> None:
        if not started.done():
            started.set_result(message["type"])

    task = asyncio.get_running_loop().create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}, receive, send)
    )
    if await started != "lifespan.startup.complete":
        raise RuntimeError("the app did not start")
    return task


async def _posts(app: Any, state: dict[str, Any], body: dict[str, str], calls: int) -> float:
    """Process CPU seconds of ``calls`` posts of ``body``, after one that starts the worker
    thread; each must answer 200."""
    started = 0.0
    for done in range(calls + 1):
        if done == 1:
            started = time.process_time()
        status = await _post(app, state, body)
        if status != 200:
            raise RuntimeError(f"{body}: HTTP {status}")
    return time.process_time() - started


async def _post(app: Any, state: dict[str, Any], body: dict[str, str]) -> int:
    """One ``POST /api/v1/chat`` through the ASGI app; its status."""
    raw = numbered(json.dumps(body).encode())
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/chat",
        "raw_path": b"/api/v1/chat",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"authorization", f"Bearer {TOKEN}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(raw)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": dict(state),
    }
    sent = [{"type": "http.request", "body": raw, "more_body": False}]
    status = 0

    async def receive() -> dict[str, Any]:
        if sent:
            return sent.pop()
        await asyncio.Event().wait()
        return {}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2])
    else:
        main()
