"""Webhook throughput of two ``teamassist serve`` replicas against one (issue 16).

Topology as in production scale-out, as local processes (no proxy: the load generator sends
round-robin, the nginx-less way of ``tests/scaleout``): PostgreSQL (a fresh database on
``TEAMASSIST_BENCH_PG_URL`` or ``TEAMASSIST_TEST_PG_URL``), Redis (database 9 of
``TEAMASSIST_TEST_REDIS_URL``, flushed before and after: Celery nudges land there too), a fake
Feishu open platform (tenant token, user look-ups) in this process, and one or two
``teamassist serve``
(scale-out mode: no background loops; replies wait in the outbox for workers, which are not
started: the figure is the webhook intake, not delivery).

Load: ``CONNECTIONS`` threads, each with a keep-alive HTTP client, post signed, encrypted
``im.message.receive_v1`` events (``/帮助`` in the demo team's group, each a new event id),
prepared before the clock starts; with two replicas thread *i* sends to replica *i mod 2*.
Each run lasts ``SECONDS``, in the order 1, 2, 2, 1 replicas (``REPS`` times); reported: accepted
events/s (HTTP 200) per run and their medians, errors, events recorded in the inbox, and the
two-to-one ratio of the medians. The generator shares the machine's cores with the servers
and the database: on 2 cores the ratio cannot reach 2x.

Settings: ``TEAMASSIST_BENCH_SECONDS`` (default 10), ``TEAMASSIST_BENCH_CONNECTIONS`` (16),
``TEAMASSIST_BENCH_REPS`` (1).
Run: ``python -m benchmarks.webhook_replicas`` (or ``make bench``).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import redis
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from tests.conftest import bind_tenant
from tests.platforms.fakes import feishu as fk
from tests.scaleout.cluster import Cluster

from teamassist import demo, migrate
from teamassist.adapters.feishu.webhook import EVENTS_PATH
from teamassist.bootstrap import build_runtime
from teamassist.chat.models import InboundEvent
from teamassist.config import Settings
from teamassist.database import normalise_url, transaction

SECONDS = float(os.environ.get("TEAMASSIST_BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("TEAMASSIST_BENCH_CONNECTIONS", "16"))
REPS = int(os.environ.get("TEAMASSIST_BENCH_REPS", "1"))
DATABASE = "ta_bench_webhook_replicas"
REDIS_DB = 9
APP_ID = "cli_bench"


def _database(server: str) -> str:
    """A fresh, migrated database with the demo workspace and a bound Feishu tenant."""
    admin = create_engine(normalise_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    admin.dispose()
    url = make_url(normalise_url(server)).set(database=DATABASE)
    rendered = url.render_as_string(hide_password=False)
    migrate.upgrade(rendered)
    runtime = build_runtime(Settings(database={"url": rendered}))
    try:
        with transaction(runtime.factory) as session:
            demo.load(session, now=runtime.clock(), domains=runtime.domains)
        bind_tenant(runtime, "feishu", fk.TENANT_KEY, kind="tenant")
    finally:
        runtime.close()
    return rendered


def _bodies(count: int) -> list[tuple[bytes, dict[str, str]]]:
    now = time.time()
    return [
        fk.signed(
            fk.message_event("/帮助", message_id=f"om_{uuid.uuid4().hex}"),
            timestamp=now,
        )
        for _ in range(count)
    ]


def _drive(urls: list[str], seconds: float) -> tuple[int, int]:
    """(accepted, errors) of ``CONNECTIONS`` threads posting for ``seconds``."""
    per_thread = max(200, int(seconds * 60))
    prepared = [_bodies(per_thread) for _ in range(CONNECTIONS)]
    counts = [[0, 0] for _ in range(CONNECTIONS)]
    start = threading.Barrier(CONNECTIONS + 1)
    deadline = [0.0]

    def run(i: int) -> None:
        with httpx.Client(base_url=urls[i % len(urls)], timeout=30) as client:
            start.wait()
            for body, headers in prepared[i]:
                if time.monotonic() >= deadline[0]:
                    return
                try:
                    ok = client.post(EVENTS_PATH, content=body, headers=headers).status_code
                except httpx.HTTPError:
                    ok = 0
                counts[i][0 if ok == 200 else 1] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + seconds
    start.wait()
    for thread in threads:
        thread.join()
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def main() -> None:
    """Measure one replica, then two, and print the figures."""
    server = os.environ.get("TEAMASSIST_BENCH_PG_URL") or os.environ.get("TEAMASSIST_TEST_PG_URL")
    redis_base = os.environ.get("TEAMASSIST_TEST_REDIS_URL")
    if not server or not redis_base:
        print(
            "skipped: needs TEAMASSIST_TEST_PG_URL (or _BENCH_PG_URL) and TEAMASSIST_TEST_REDIS_URL"
        )
        return
    redis_url = urlsplit(redis_base)._replace(path=f"/{REDIS_DB}").geturl()
    prefix = f"bench-{uuid.uuid4().hex[:8]}:"
    redis.Redis.from_url(redis_url).flushdb()
    url = _database(server)
    fake = fk.FakeFeishu().start()
    settings = {
        "TEAMASSIST_DATABASE__URL": url,
        "TEAMASSIST_SCALE_OUT__REDIS_URL": redis_url,
        "TEAMASSIST_SCALE_OUT__REDIS_PREFIX": prefix,
        "TEAMASSIST_WEB__SECRET_KEY": "bench-secret",
        "TEAMASSIST_LOG_LEVEL": "WARNING",
        "TEAMASSIST_FEISHU__ENABLED": "true",
        "TEAMASSIST_FEISHU__APP_ID": APP_ID,
        "TEAMASSIST_FEISHU__APP_SECRET": fk.APP_SECRET,
        "TEAMASSIST_FEISHU__ENCRYPT_KEY": fk.ENCRYPT_KEY,
        "TEAMASSIST_FEISHU__VERIFICATION_TOKEN": fk.VERIFICATION_TOKEN,
        "TEAMASSIST_FEISHU__DOMAIN": fake.url,
        "TEAMASSIST_FEISHU__BOT_OPEN_ID": "ou_bot",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMASSIST_")}
    env.update(settings, PYTHONUNBUFFERED="1")
    rates: dict[int, float] = {}
    total = 0
    try:
        with tempfile.TemporaryDirectory() as folder:
            cluster = Cluster(Path(folder), env)
            try:
                replicas = [cluster.serve("web1"), cluster.serve("web2")]
                cluster.wait_ready(timeout=180)
                urls = [r.url for r in replicas]
                total = _drive(urls, 2.0)[0]  # warm-up: imports, pools, the tenant token
                runs: dict[int, list[float]] = {1: [], 2: []}
                # 1, 2, 2, 1, ...: a load that drifts during the run weighs on both alike
                for n in [1, 2, 2, 1] * REPS:
                    accepted, errors = _drive(urls[:n], SECONDS)
                    total += accepted
                    runs[n].append(accepted / SECONDS)
                    print(
                        f"{n} replica(s), {CONNECTIONS} connections, {SECONDS:g} s: "
                        f"{accepted / SECONDS:.1f} events/s accepted, {errors} errors"
                    )
                rates = {n: statistics.median(r) for n, r in runs.items()}
                print(f"median: 1 replica {rates[1]:.1f}/s, 2 replicas {rates[2]:.1f}/s")
            finally:
                cluster.stop()
        engine = create_engine(normalise_url(url))
        with engine.connect() as connection:
            recorded = connection.scalar(select(func.count()).select_from(InboundEvent))
        engine.dispose()
        print(f"inbox rows: {recorded} for {total} accepted events (warm-up included)")
        if rates.get(1):
            print(f"two replicas / one: {rates[2] / rates[1]:.2f}x (cores: {os.cpu_count()})")
    finally:
        fake.stop()
        redis.Redis.from_url(redis_url).flushdb()


if __name__ == "__main__":
    main()
