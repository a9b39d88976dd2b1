"""Scale-out: 10,000 teams' morning notices queued and delivered by 1, then 2 Celery workers.

The window measures a normal morning of a running install, not a first one. Once per benchmark
a base database is built: the teams of ``scheduler_scale.populate`` (their public channels moved
to Feishu chats), then two workers and a beat run the install's 07:55 (Asia/Shanghai) until it
has settled: every job planned, every interval sweep run once (the meeting sweep plans each
team's 63 days of meetings then), nothing pending in the outbox. Until session 11 the teams were
created just before the window and that first planning of 10,000 teams ran inside it, which
the 2026-12-01 figures (157 s and 137 s) mostly measured.

Each run then copies the base (``CREATE DATABASE … TEMPLATE``), starts ``teamassist worker
--concurrency 1`` processes (1, then 2) and one ``teamassist beat`` (1 s ticks) as real
processes on Redis, all reading "now" from one clock file at 07:59:30. Once they are up the
clock moves to 08:00:30 and the timer starts:

- **queued**: until every team's morning notice is in the outbox (the workers' tick hands the
  due teams out in batches of 500, run in parallel);
- **delivered**: until every one of them has reached the fake Feishu and is marked sent. The
  fake is ``LeanFeishu`` (tests/platforms/fakes/feishu_lean.py: a bare ASGI app under uvicorn in
  a process of its own that checks the tenant token, dedupes by ``uuid``, answers message ids
  and records each message) since 2026-12-02; until then the test suite's FastAPI
  ``FakeFeishu``, whose own CPU on the same 2 cores was a quarter of the delivery threads' wait.

The interval sweeps of every team fall due at 08:00 too and run in the same window, as they do
in production (with nothing to do: their ``candidates`` queries only). Target (issue 16): all
delivered within 30 s with 2 workers on a 2-core machine.

Needs ``TEAMASSIST_BENCH_PG_URL`` (or ``TEAMASSIST_TEST_PG_URL``) and ``TEAMASSIST_BENCH_REDIS_URL``
(or ``TEAMASSIST_TEST_REDIS_URL``; DB :data:`REDIS_DB` of that server is flushed, never the
others); skipped without them. Size: ``TEAMASSIST_BENCH_SCALEOUT_TEAMS`` (default 10000); workers:
``…_WORKERS`` (default 1,2); ``…_REUSE=1`` keeps a base left by an earlier run of the same
size; ``…_FAKE=full`` sends to the suite's ``FakeFeishu`` instead of the lean one.
Run: ``.venv/bin/python -m benchmarks.scaleout_delivery``.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import redis
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes.feishu import FakeFeishu
from tests.platforms.fakes.feishu_lean import COUNT_PATH, LeanFeishu
from tests.scaleout.cluster import Cluster, role_env, wait_for

from benchmarks.scheduler_scale import _fresh_pg, populate, shanghai
from teamassist import migrate
from teamassist.database import make_engine, normalise_url
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.scheduler.models import JobDue
from teamassist.team.models import Team

# The tests use DB 0 (the URL given), 5 (tests/scaleout), 6 (tests/shared_state), 12
# (test_nudges) and webhook_replicas 9: this benchmark flushes 7, which nobody else uses. Until
# session 11 it flushed 6 and could wipe a shared-state test's keys mid-run.
REDIS_DB = 7
BASE = "bench_scaleout_base_{teams}"  # one per size, so that ``…_REUSE`` finds its own
RUN_DB = "bench_scaleout_{teams}"
STARTUP = 600.0  # seconds the workers may take to start on a busy machine
DEADLINE = 900.0  # seconds a run may take before it is reported as unfinished
BASE_DEADLINE = 3600.0  # seconds the base's first planning may take (not timed)


@dataclass
class Run:
    """One run's figures."""

    workers: int
    teams: int
    queued: float = float("nan")
    delivered: float = float("nan")
    sent: int = 0  # messages the fake took in the window
    notices: int = 0  # notices queued in the window (the morning's: one per team)

    @property
    def rate(self) -> float:
        return self.sent / self.delivered if self.delivered == self.delivered else 0.0


def _serve_fake(urls: multiprocessing.Queue[str], kind: str) -> None:
    """The fake Feishu in a process of its own, answering ``COUNT_PATH`` with what it received:
    ``LeanFeishu``, or with ``kind == "full"`` the test suite's ``FakeFeishu`` (to compare)."""
    if kind != "full":
        urls.put(LeanFeishu().start().url)
    else:
        fake = FakeFeishu()

        @fake.app.get(COUNT_PATH)
        def sent() -> dict[str, int]:
            return {"sent": len(fake.messages())}  # one per uuid: it dedupes as Feishu does

        urls.put(fake.start().url)
    while True:
        time.sleep(3600)


class _FakeProcess:
    """``LeanFeishu`` started in a spawned process; :meth:`sent` asks it what arrived."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        urls: multiprocessing.Queue[str] = context.Queue()
        kind = os.environ.get("TEAMASSIST_BENCH_SCALEOUT_FAKE", "lean")
        self.process = context.Process(target=_serve_fake, args=(urls, kind), daemon=True)
        self.process.start()
        self.url = urls.get(timeout=STARTUP)

    def sent(self) -> int:
        """Messages the fake took (one per notice: it dedupes by ``uuid`` as Feishu does)."""
        return int(httpx.get(self.url + COUNT_PATH, timeout=60).json()["sent"])

    def stop(self) -> None:
        self.process.kill()
        self.process.join(10)


def _count(engine: Engine, *, after: int = 0, sent: bool = False) -> int:
    """Notices with an id above ``after`` (the base's last), all or those sent."""
    query = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.id > after)
    if sent:
        query = query.where(OutboxMessage.status == OutboxStatus.SENT)
    with engine.connect() as connection:
        return int(connection.scalar(query) or 0)


@dataclass
class Bench:
    """What every run shares: the servers, the fake Feishu (a new one per run: the runs' copies
    of the base send notices with the same ``uuid``, which one fake would take as repeats)."""

    pg: str
    redis_url: str
    teams: int
    fake: _FakeProcess

    @property
    def feishu(self) -> dict[str, str]:
        return {
            "ENABLED": "true",
            "APP_ID": "cli_benchscaleout",
            "APP_SECRET": fk.APP_SECRET,
            "ENCRYPT_KEY": fk.ENCRYPT_KEY,
            "VERIFICATION_TOKEN": fk.VERIFICATION_TOKEN,
            "DOMAIN": self.fake.url,
        }

    def cluster(self, url: str, folder: Path, at: datetime) -> Cluster:
        """The roles' environment on database ``url``, the shared clock set to ``at``."""
        redis.Redis.from_url(self.redis_url).flushdb()  # DB REDIS_DB only
        env = role_env(
            {
                "TEAMASSIST_CONFIG": str(folder / "absent.toml"),
                "TEAMASSIST_DATABASE__URL": url,
                "TEAMASSIST_SCALE_OUT__REDIS_URL": self.redis_url,
                "TEAMASSIST_SCHEDULER__TICK_SECONDS": "1",
                "TEAMASSIST_LOG_LEVEL": "INFO",  # the workers' "ready." line is an INFO one
                **{f"TEAMASSIST_FEISHU__{k}": v for k, v in self.feishu.items()},
            },
            folder / "now",
        )
        cluster = Cluster(folder, env)
        cluster.set_clock(at)
        return cluster


def _settled(engine: Engine, teams: int, now: datetime) -> bool:
    """Every team planned, nothing due at ``now``, nothing waiting in the outbox."""
    with engine.connect() as connection:
        planned = connection.scalar(select(func.count(func.distinct(JobDue.team_id))))
        due = connection.scalar(select(func.count()).where(JobDue.due_at <= now))
        waiting = connection.scalar(
            select(func.count()).where(
                OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
            )
        )
    return bool(planned == teams and due == 0 and waiting == 0)


def _base_ready(bench: Bench) -> bool:
    """True when a base of ``bench.teams`` teams is left from an earlier, finished build."""
    engine = make_engine(_url(bench.pg, BASE.format(teams=bench.teams)))
    try:
        with engine.connect() as connection:
            teams = connection.scalar(select(func.count()).select_from(Team))
            done = connection.scalar(text("SELECT count(*) FROM bench_base_done"))
    except Exception:  # no base, or one whose build did not finish
        return False
    finally:
        engine.dispose()
    return bool(teams == bench.teams and done == 1)


def build_base(bench: Bench, folder: Path) -> float:
    """The base database: the teams, planned and swept once by the install's 07:55 (two
    workers, one beat), as a running install has them. Returns the seconds that took."""
    url = _fresh_pg(bench.pg, BASE.format(teams=bench.teams))
    migrate.upgrade(url)
    engine = make_engine(url)
    populate(engine, bench.teams)
    with engine.begin() as connection:  # the public chats on Feishu; internal ones stay web
        connection.execute(
            text(
                "UPDATE channel SET platform = 'feishu', address = 'oc_' || address "
                "WHERE purpose = 'public'"
            )
        )
    at = shanghai(7, 55)
    cluster = bench.cluster(url, folder, at)
    started = time.perf_counter()
    try:
        for n in range(2):
            cluster.start(f"base-worker-{n}", "worker", "--concurrency", "1")
        cluster.wait_ready(STARTUP)
        cluster.start("base-beat", "beat")
        cluster.wait_ready(STARTUP)
        wait_for(lambda: _settled(engine, bench.teams, at), "base settled", BASE_DEADLINE)
        time.sleep(3)  # a batch still committing would show as due again
        wait_for(lambda: _settled(engine, bench.teams, at), "base settled", BASE_DEADLINE)
    finally:
        cluster.stop()
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE bench_base_done (done int)"))
        connection.execute(text("INSERT INTO bench_base_done VALUES (1)"))
    engine.dispose()
    return time.perf_counter() - started


def _copy_base(pg: str, teams: int) -> str:
    """A fresh copy of the base (no one may be connected to the base meanwhile)."""
    base, run = BASE.format(teams=teams), RUN_DB.format(teams=teams)
    admin = create_engine(normalise_url(pg), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{run}" TEMPLATE "{base}"'))
    admin.dispose()
    return _url(pg, run)


def _url(pg: str, name: str) -> str:
    return make_url(normalise_url(pg)).set(database=name).render_as_string(False)


def measure(bench: Bench, workers: int, folder: Path) -> Run:
    """One run on a copy of the base: ``workers`` worker processes."""
    url = _copy_base(bench.pg, bench.teams)
    engine = make_engine(url)
    with engine.connect() as connection:
        last = int(connection.scalar(select(func.max(OutboxMessage.id))) or 0)
    bench.fake.stop()
    bench.fake = _FakeProcess()
    cluster = bench.cluster(url, folder, shanghai(7, 59, 30))
    run = Run(workers, bench.teams)
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
            wait_for(lambda: _count(engine, after=last) >= bench.teams, "queued", DEADLINE)
            run.queued = time.perf_counter() - started
            wait_for(
                lambda: _count(engine, after=last, sent=True) >= bench.teams, "delivered", DEADLINE
            )
            run.delivered = time.perf_counter() - started
        except TimeoutError as exc:
            print(f"   {workers} worker(s): not finished within {DEADLINE:.0f} s ({exc})")
        run.sent = bench.fake.sent()
        run.notices = _count(engine, after=last)
    finally:
        cluster.stop()
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
    redis_url = urlsplit(server)._replace(path=f"/{REDIS_DB}").geturl()
    teams = int(os.environ.get("TEAMASSIST_BENCH_SCALEOUT_TEAMS", "10000"))
    counts = [int(n) for n in os.environ.get("TEAMASSIST_BENCH_SCALEOUT_WORKERS", "1,2").split(",")]
    bench = Bench(pg, redis_url, teams, _FakeProcess())
    try:
        if os.environ.get("TEAMASSIST_BENCH_SCALEOUT_REUSE") == "1" and _base_ready(bench):
            print(f"base of {teams:,} teams reused")
        else:
            with tempfile.TemporaryDirectory() as folder:
                took = build_base(bench, Path(folder))
            print(f"base of {teams:,} teams planned and swept once (not timed): {took:.1f} s")
        runs = []
        for workers in counts:
            with tempfile.TemporaryDirectory() as folder:
                runs.append(measure(bench, workers, Path(folder)))
    finally:
        bench.fake.stop()
    for line in report(runs):
        print(line)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
