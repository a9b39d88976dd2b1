"""One dashboard sign-in at the product's password hash cost and at the test suite's.

What a test that signs someone in pays: a password set for a demo member (``auth.set_password``,
one argon2id hash) and the login form posted (``auth.verify``, one check at the hash's cost),
through ``TestClient`` on the real app over a migrated SQLite file with the demo loaded. The
costs alternate in one process, ``rounds`` times each: ``web.password_hash``'s default (RFC 9106's
second recommended option, t=3, 64 MiB, 4 lanes) and the suite's (t=1, 8 KiB, 1 lane,
tests/conftest.py). Wall time by ``time.perf_counter``, CPU by ``time.process_time`` (every
thread of the process: argon2 hashes on ``parallelism`` threads).

Run: ``.venv/bin/python -m benchmarks.password_cost [rounds]`` (default 8).
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from teamassist import demo, migrate
from teamassist.bootstrap import build_runtime
from teamassist.config import PasswordHashSettings, Settings
from teamassist.database import transaction
from teamassist.http import auth
from teamassist.team import service as team_service
from teamassist.web.app import create_app

COSTS = {
    "default": PasswordHashSettings(),
    "suite": PasswordHashSettings(time_cost=1, memory_kib=8, parallelism=1),
}


def main(rounds: int) -> None:
    """Print the median (min–max) wall and CPU seconds of a sign-in at each cost."""
    folder = Path(tempfile.mkdtemp(prefix="ta-bench-pw-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate.upgrade(url)
    runtime = build_runtime(Settings(database={"url": url}))
    with transaction(runtime.factory) as session:
        demo.load(session, now=runtime.clock(), domains=runtime.domains)
    app = create_app(runtime, start_background=False)
    walls: dict[str, list[float]] = {name: [] for name in COSTS}
    cpus: dict[str, list[float]] = {name: [] for name in COSTS}
    loads: list[float] = []
    for round_ in range(rounds):
        for name, cost in COSTS.items():
            auth.install_hash_cost(cost)
            password = f"pw-{round_}-{name}"
            start, cpu = time.perf_counter(), time.process_time()
            with transaction(runtime.factory) as session:
                ws = team_service.get_workspace_by_key(session, key="demo")
                assert ws is not None
                lisi = team_service.get_member_by_handle(session, workspace_id=ws.id, handle="lisi")
                auth.set_password(session, username="lisi", password=password, member=lisi)
            with TestClient(app) as client:
                answer = client.post(
                    "/login",
                    data={"username": "lisi", "password": password},
                    follow_redirects=False,
                )
                assert answer.status_code == 303, answer.text
            walls[name].append(time.perf_counter() - start)
            cpus[name].append(time.process_time() - cpu)
            loads.append(os.getloadavg()[0])
    runtime.close()
    shutil.rmtree(folder, ignore_errors=True)
    print(f"{rounds} sign-ins at each cost, alternating; load {min(loads):.1f}–{max(loads):.1f}")
    for name in COSTS:
        wall = walls[name]
        print(
            f"  {name:8} wall {statistics.median(wall):.3f} s ({min(wall):.3f}–{max(wall):.3f}),"
            f" CPU {statistics.median(cpus[name]):.3f} s"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
