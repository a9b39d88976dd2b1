"""Scale-out: 10,000 teams' morning notices queued and delivered by 1, then 2 Celery workers.

Each run: a fresh PostgreSQL database with the teams of ``scheduler_scale.populate`` (their
public channels moved to Feishu chats), planned at 07:59 (Asia/Shanghai) in this process; then
``teamassist worker --concurrency 1`` processes (1, then 2) and one ``teamassist beat`` (1 s
ticks) are started as real processes on Redis, all reading "now" from one clock file. Once
they are up the clock moves to 08:00:30 and the timer starts:

- **queued**: until every team's morning notice is in the outbox (the workers' tick hands the
  due teams out in batches of 500, run in parallel);
- **delivered**: until every one of them has reached the fake Feishu (``FakeFeishu``, a
  uvicorn server in a process of its own: in this one it shared a core's time with the polling
  and answered slower than the workers sent) and is marked sent.

The interval sweeps of every team fall due at 08:00 too and run in the same window, as they do
in production. Target (issue 16): all delivered within 30 s with 2 workers on a 2-core machine.

Needs ``TEAMASSIST_BENCH_PG_URL`` (or ``TEAMASSIST_TEST_PG_URL``) and ``TEAMASSIST_BENCH_REDIS_URL``
(or ``TEAMASSIST_TEST_REDIS_URL``; DB 6 of that server is flushed); skipped without them.
Size: ``TEAMASSIST_BENCH_SCALEOUT_TEAMS`` (default 10000); workers: ``…_WORKERS`` (default 1,2).
Run: ``.venv/bin/python -m benchmarks.scaleout_delivery``.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis
from sqlalchemy import Engine, func, select, text
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes.feishu import FakeFeishu
from tests.scaleout.cluster import Cluster, role_env, wait_for

from benchmarks.scheduler_scale import _fresh_pg, populate, shanghai
from teamassist import migrate
from teamassist.bootstrap import build_runtime
from teamassist.clock import FrozenClock
from teamassist.config import Settings
from teamassist.database import make_engine
from teamassist.outbox.models import OutboxMessage, OutboxStatus

REDIS_DB = 6
STARTUP = 600.0  # seconds the workers may take to start on a busy machine
DEADLINE = 900.0  # seconds a run may take before it is reported as unfinished


@dataclass
class Run:
    """One run's figures."""

    workers: int
    teams: int
    queued: float = float("nan")
    delivered: float = float("nan")
    sent: int = 0

    @property
    def rate(self) -> float:
        return self.sent / self.delivered if self.delivered == self.delivered else 0.0


def _serve_fake(urls: multiprocessing.Queue[str]) -> None:
    """The fake Feishu, in a process of its own, with a route that counts what it received."""
    fake = FakeFeishu()

    @fake.app.get("/_bench/sent")
    def sent() -> dict[str, int]:
        return {"sent": len(fake.messages())}  # one per uuid: the fake dedupes as Feishu does

    urls.put(fake.start().url)
    while True:
        time.sleep(3600)


class _FakeProcess:
    """``FakeFeishu`` started in a spawned process; :meth:`sent` asks it what arrived."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        urls: multiprocessing.Queue[str] = context.Queue()
        self.process = context.Process(target=_serve_fake, args=(urls,), daemon=True)
        self.process.start()
        self.url = urls.get(timeout=STARTUP)

    def sent(self) -> int:
        """Messages the fake took (one per notice: it dedupes by ``uuid`` as Feishu does)."""
        return int(httpx.get(f"{self.url}/_bench/sent", timeout=60).json()["sent"])

    def stop(self) -> None:
        self.process.kill()
        self.process.join(10)


def _count(engine: Engine, *, sent: bool = False) -> int:
    query = select(func.count()).select_from(OutboxMessage)
    if sent:
        query = query.where(OutboxMessage.status == OutboxStatus.SENT)
    with engine.connect() as connection:
        return int(connection.scalar(query) or 0)


def measure(pg: str, redis_url: str, teams: int, workers: int, folder: Path) -> Run:
    """One run on a fresh database: ``teams`` teams, ``workers`` worker processes."""
    url = _fresh_pg(pg, "bench_scaleout")
    migrate.upgrade(url)
    engine = make_engine(url)
    populate(engine, teams)
    with engine.begin() as connection:  # the public chats on Feishu; internal ones stay web
        connection.execute(
            text(
                "UPDATE channel SET platform = 'feishu', address = 'oc_' || address "
                "WHERE purpose = 'public'"
            )
        )
    redis.Redis.from_url(redis_url).flushdb()
    fake = _FakeProcess()
    feishu = {
        "ENABLED": "true",
        "APP_ID": f"cli_{uuid.uuid4().hex[:12]}",
        "APP_SECRET": fk.APP_SECRET,
        "ENCRYPT_KEY": fk.ENCRYPT_KEY,
        "VERIFICATION_TOKEN": fk.VERIFICATION_TOKEN,
        "DOMAIN": fake.url,
    }
    settings = Settings(
        database={"url": url},
        feishu={k.lower(): v for k, v in feishu.items()},
    )
    planner = build_runtime(settings, clock=FrozenClock(shanghai(7, 59)))
    # Plans every team's jobs and runs nothing: running the 07:59 sweeps here (a query per team
    # per sweep, one process) took longer than the measured window at 10,000 teams; they fall
    # due in the window all the same.
    planner.scheduler.due_batches()
    planner.close()
    env = role_env(
        {
            "TEAMASSIST_CONFIG": str(folder / "absent.toml"),
            "TEAMASSIST_DATABASE__URL": url,
            "TEAMASSIST_SCALE_OUT__REDIS_URL": redis_url,
            "TEAMASSIST_SCHEDULER__TICK_SECONDS": "1",
            "TEAMASSIST_LOG_LEVEL": "INFO",  # the workers' "ready." line is an INFO one
            **{f"TEAMASSIST_FEISHU__{k}": v for k, v in feishu.items()},
        },
        folder / "now",
    )
    cluster = Cluster(folder, env)
    cluster.set_clock(shanghai(7, 59, 30))
    run = Run(workers, teams)
    try:
        for n in range(workers):
            cluster.start(f"worker-{n}", "worker", "--concurrency", "1")
        cluster.wait_ready(STARTUP)
        cluster.start("beat", "beat")
        cluster.wait_ready(STARTUP)
        time.sleep(2)
        started = time.perf_counter()
        cluster.set_clock(shanghai(8, 0, 30))
        try:
            wait_for(lambda: _count(engine) >= teams, "queued", DEADLINE)
            run.queued = time.perf_counter() - started
            wait_for(lambda: _count(engine, sent=True) >= teams, "delivered", DEADLINE)
            run.delivered = time.perf_counter() - started
        except TimeoutError as exc:
            print(f"   {workers} worker(s): not finished within {DEADLINE:.0f} s ({exc})")
        run.sent = fake.sent()
    finally:
        cluster.stop()
        fake.stop()
        engine.dispose()
    return run


def report(runs: list[Run]) -> list[str]:
    lines = [
        "| workers | teams | queued | delivered | notices/s |",
        "|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.workers} | {r.teams:,} | {r.queued:.1f} s | {r.delivered:.1f} s | {r.rate:.0f} |"
        for r in runs
    ]
    if len(runs) >= 2 and runs[0].delivered == runs[0].delivered:
        lines.append(
            f"scaling {runs[0].workers}→{runs[-1].workers} workers: "
            f"{runs[0].delivered / runs[-1].delivered:.2f}× faster delivered"
        )
    return lines


def main() -> None:
    pg = os.environ.get("TEAMASSIST_BENCH_PG_URL") or os.environ.get("TEAMASSIST_TEST_PG_URL")
    server = os.environ.get("TEAMASSIST_BENCH_REDIS_URL") or os.environ.get(
        "TEAMASSIST_TEST_REDIS_URL"
    )
    if not pg or not server:
        print("scaleout_delivery: skipped (needs PostgreSQL and Redis URLs)")
        return
    redis_url = server.rsplit("/", 1)[0] + f"/{REDIS_DB}"
    teams = int(os.environ.get("TEAMASSIST_BENCH_SCALEOUT_TEAMS", "10000"))
    counts = [int(n) for n in os.environ.get("TEAMASSIST_BENCH_SCALEOUT_WORKERS", "1,2").split(",")]
    runs = []
    for workers in counts:
        with tempfile.TemporaryDirectory() as folder:
            runs.append(measure(pg, redis_url, teams, workers, Path(folder)))
    for line in report(runs):
        print(line)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
