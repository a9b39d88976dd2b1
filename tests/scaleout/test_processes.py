"""Done when (issue 16): PostgreSQL, Redis, two web replicas, two workers and two beats as real
processes. Signed Feishu webhooks go alternately to both replicas (one event to both at once),
the shared clock moves through a duty day, and a worker is killed with SIGKILL while it
delivers: every reply, reminder and notice reaches the fake Feishu exactly once.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import redis
from sqlalchemy import Engine, func, select, update

from teamassist.adapters.feishu.sender import dedupe_id
from teamassist.adapters.feishu.webhook import EVENTS_PATH
from teamassist.chat.models import InboundEvent
from teamassist.clock import FrozenClock
from teamassist.database import make_engine
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.scheduler.models import JobDue, JobRun
from teamassist.team.models import Channel, Team
from teamassist.workers.celery_app import BATCH_MARKER_SECONDS
from tests.conftest import bind_tenant, load_demo, make_runtime, migrated
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes.feishu import FakeFeishu
from tests.scaleout.cluster import Cluster, role_env, wait_for
from tests.support.databases import require_backend

pytestmark = pytest.mark.processes

TZ = ZoneInfo("Asia/Shanghai")
DAY = (2026, 6, 1)  # a Monday and a working day
LEASE = 5  # outbox.lease_seconds: a dead worker's claims come back soon after
REDIS_DB = 5
# Six processes importing the product at once: ~10 s on an idle 2-core machine, minutes on the
# shared one under load.
STARTUP = 300.0  # this test's own Redis database (flushed at its start)


def local(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(*DAY, hour, minute, second, tzinfo=TZ).astimezone(UTC)


def _redis_url() -> str:
    require_backend("redis")  # skips, or fails where every backend must run
    return os.environ["TEAMASSIST_TEST_REDIS_URL"].rsplit("/", 1)[0] + f"/{REDIS_DB}"


@pytest.fixture
def fake() -> Iterator[FakeFeishu]:
    server = FakeFeishu().start()
    yield server
    server.stop()


@pytest.fixture
def cluster(tmp_path: Path, fake: FakeFeishu) -> Iterator[tuple[Cluster, Engine]]:
    require_backend("postgresql")
    redis_url = _redis_url()
    redis.Redis.from_url(redis_url).flushdb()
    url = migrated("postgresql").fresh_url()
    feishu = {
        "enabled": True,
        "app_id": f"cli_{uuid.uuid4().hex[:12]}",
        "app_secret": fk.APP_SECRET,
        "encrypt_key": fk.ENCRYPT_KEY,
        "verification_token": fk.VERIFICATION_TOKEN,
        "domain": fake.url,
        "bot_open_id": "ou_bot",
    }
    # given the demo workspace bound to the fake tenant, its two channels on Feishu
    runtime = make_runtime(url, FrozenClock(local(7, 30)), feishu=feishu)
    load_demo(runtime)
    bind_tenant(runtime, "feishu", fk.TENANT_KEY, kind="tenant")
    with runtime.factory.begin() as session:
        for address in ("public", "duty-room"):
            session.execute(
                update(Channel)
                .where(Channel.address == address)
                .values(platform="feishu", address=f"oc_{address}")
            )
    runtime.close()
    settings = {
        "TEAMASSIST_CONFIG": str(tmp_path / "absent.toml"),
        "TEAMASSIST_DATABASE__URL": url,
        "TEAMASSIST_SCALE_OUT__REDIS_URL": redis_url,
        "TEAMASSIST_SCHEDULER__TICK_SECONDS": "1",
        "TEAMASSIST_OUTBOX__LEASE_SECONDS": str(LEASE),
        "TEAMASSIST_OUTBOX__SEND_SECONDS_MAX": "1",
        "TEAMASSIST_WEB__SECRET_KEY": "s" * 40,
        **{
            f"TEAMASSIST_FEISHU__{k.upper()}": str(v).lower() if v is True else str(v)
            for k, v in feishu.items()
        },
    }
    cluster = Cluster(tmp_path, role_env(settings, tmp_path / "now"))
    cluster.set_clock(local(7, 30))
    engine = make_engine(url)
    try:
        yield cluster, engine
    finally:
        cluster.stop()
        engine.dispose()


def _post(url: str, payload: dict[str, Any], now: datetime) -> int:
    body, headers = fk.signed(payload, timestamp=now.timestamp())
    return httpx.post(url + EVENTS_PATH, content=body, headers=headers, timeout=30).status_code


def _settled(engine: Engine, now: datetime) -> bool:
    """Nothing due is left: no job due at ``now``, no notice due or being sent."""
    with engine.connect() as connection:
        due = connection.scalar(select(func.count()).where(JobDue.due_at <= now))
        waiting = connection.scalar(
            select(func.count()).where(
                (OutboxMessage.status == OutboxStatus.SENDING)
                | (
                    (OutboxMessage.status == OutboxStatus.PENDING)
                    & (OutboxMessage.next_attempt_at <= now)  # not one held for quiet hours
                )
            )
        )
    return due == 0 and waiting == 0


def _state(engine: Engine) -> str:
    """What is due and what waits in the outbox (for a failure's message)."""
    with engine.connect() as connection:
        due = connection.execute(select(JobDue).order_by(JobDue.due_at).limit(10)).all()
        waiting = connection.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.platform,
                OutboxMessage.address,
                OutboxMessage.status,
                OutboxMessage.next_attempt_at,
                OutboxMessage.last_error,
            ).where(OutboxMessage.status != OutboxStatus.SENT)
        ).all()
    return f"job_due (first 10): {due}\noutbox not sent: {waiting}"


def _day_times(engine: Engine) -> list[datetime]:
    """Every time of the day a daily job of the demo team runs, 08:00 to 23:59, as UTC."""
    from teamassist.bootstrap import DOMAINS
    from teamassist.chat.command_index import resolve
    from teamassist.scheduler.registry import DailyJob, JobGroup

    with engine.connect() as connection:
        team = connection.execute(select(Team)).one()
    times = set()
    for domain in DOMAINS:
        for path in domain.jobs:
            group = resolve(path)
            assert isinstance(group, JobGroup)
            for job in group.daily_jobs:
                assert isinstance(job, DailyJob)
                for hhmm in job.default_times:
                    hour, minute = map(int, hhmm.split(":"))
                    if hour >= 8:
                        times.add(local(hour, minute, 30))
    assert team.timezone == "Asia/Shanghai"
    return sorted(times)


def test_every_reply_reminder_and_notice_is_delivered_once(
    cluster: tuple[Cluster, Engine], fake: FakeFeishu
) -> None:
    processes, engine = cluster
    web = [processes.serve("serve-a"), processes.serve("serve-b")]
    workers = [
        processes.start(name, "worker", "--concurrency", "1") for name in ("worker-a", "worker-b")
    ]
    for name in ("beat-a", "beat-b"):  # two beats, as by mistake: every tick is sent twice
        processes.start(name, "beat")
    try:
        processes.wait_ready(STARTUP)
        now = local(7, 30)

        # when members write to the bot through both replicas, one event reaching both at once
        events = [
            fk.message_event(
                "/我是谁",
                sender=f"ou_m{n}",
                chat_type="p2p",
                chat_id=f"oc_p{n}",
                message_id=f"om_in_{n}",
            )
            for n in range(4)
        ]
        for n, event in enumerate(events):
            assert _post(web[n % 2].url, event, now) == 200
        same = fk.message_event("/帮助", chat_type="p2p", chat_id="oc_same", message_id="om_same")
        with ThreadPoolExecutor(2) as pool:
            codes = list(pool.map(lambda server: _post(server.url, same, now), web))
        assert codes == [200, 200]
        expected = sorted([f"om_in_{n}" for n in range(4)] + ["om_same"])

        def answered() -> list[str]:
            return sorted(c.path.split("/")[-2] for c in fake.messages() if "/reply" in c.path)

        # (a replica may finish a command after acknowledging its event)
        wait_for(lambda: len(answered()) >= 5 and _settled(engine, now), "the replies", 60)
        time.sleep(2)  # anything doubled would arrive now
        # then each event was handled once and answered once
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(InboundEvent)) == 5
        assert answered() == expected

        # when the morning notices go out while the only running worker is killed mid-send
        fake_delay = fake.delay = 2.0
        workers[1].signal(signal.SIGSTOP)  # worker-b paused: worker-a alone takes the tick
        now = local(8, 0, 30)
        processes.set_clock(now)

        def sending() -> bool:
            with engine.connect() as connection:
                return bool(
                    connection.scalar(
                        select(func.count()).where(OutboxMessage.status == OutboxStatus.SENDING)
                    )
                )

        # worker-b's broker read (BRPOP) may already wait at Redis when it is paused: Redis then
        # hands it the morning batch, which it holds unrun; worker-a's tick hands the batch out
        # again once its marker lapses (BATCH_MARKER_SECONDS), so wait past that (CI run 20:18).
        wait_for(sending, "worker-a sending the morning notices", BATCH_MARKER_SECONDS + 90)
        workers[0].signal(signal.SIGKILL)
        workers[0].popen.wait(timeout=10)
        fake.delay = 0.0
        # then, with no worker running, nobody sends, even once the lease has run out (the web
        # replicas and beats run no delivery of their own)
        now = now + timedelta(seconds=LEASE + 60)
        processes.set_clock(now)
        with engine.connect() as connection:
            held = connection.scalar(
                select(func.count()).where(OutboxMessage.status == OutboxStatus.SENDING)
            )
        assert held
        time.sleep(fake_delay + 0.5)  # the killed worker's last request, if it got through
        sent_before = len(fake.messages())
        time.sleep(3)  # a few ticks of both beats
        assert len(fake.messages()) == sent_before
        with engine.connect() as connection:
            assert (
                connection.scalar(
                    select(func.count()).where(OutboxMessage.status == OutboxStatus.SENDING)
                )
                == held
            )
        # and worker-b, resumed, finishes the dead worker's claims
        workers[1].signal(signal.SIGCONT)
        wait_for(lambda: _settled(engine, now), "the morning delivered after the kill", 60)

        # when the clock moves through the rest of the duty day
        for instant in _day_times(engine):
            if instant <= now:
                continue
            now = instant
            processes.set_clock(now)
            wait_for(partial(_settled, engine, now), f"everything due at {now} done", 60)
    except BaseException:
        print(processes.logs())
        print(_state(engine))
        raise

    # then every notice queued for Feishu reached the fake exactly once, none lost
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                OutboxMessage.idempotency_key, OutboxMessage.status, OutboxMessage.address
            ).where(OutboxMessage.platform == "feishu")
        ).all()
        runs = connection.execute(select(JobRun.job_key, JobRun.status)).all()
    assert {status for _, status, _ in rows} == {OutboxStatus.SENT}
    calls = fake.messages()
    assert sorted(c.body["uuid"] for c in calls) == sorted(dedupe_id(key) for key, _, _ in rows)
    assert len(calls) == len(rows)
    # the day's jobs ran, none failed; the morning notice went to the public chat
    assert "duty.morning_notice" in {key for key, _ in runs}
    assert {status for _, status in runs} <= {"done"}
    assert "oc_public" in {address for _, _, address in rows}


def _pool_children(pid: int) -> list[int]:
    """The process ids of ``pid``'s children (a prefork worker's pool), from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def test_a_killed_pool_child_loses_and_doubles_nothing(
    cluster: tuple[Cluster, Engine], fake: FakeFeishu
) -> None:
    # given one worker with a pool of one, and one beat
    processes, engine = cluster
    worker = processes.start("worker", "worker", "--concurrency", "1")
    processes.start("beat", "beat")
    try:
        processes.wait_ready(STARTUP)
        # when the morning notices go out slowly and the pool child (not the worker) is
        # killed while it sends
        fake_delay = fake.delay = 2.0
        now = local(8, 0, 30)
        processes.set_clock(now)
        wait_for(lambda: _sending(engine) > 0, "the pool child sending", 120)
        [child] = _pool_children(worker.popen.pid)
        os.kill(child, signal.SIGKILL)
        fake.delay = 0.0
        time.sleep(fake_delay + 0.5)  # the killed child's last request, if it got through
        assert _sending(engine) > 0  # its claims are held until their lease runs out
        # then the worker lives on with a new child, which, once the dead child's lease has
        # run out, finishes its claims
        now = now + timedelta(seconds=LEASE + 60)
        processes.set_clock(now)
        wait_for(lambda: _settled(engine, now), "the morning delivered after the kill", 120)
        assert worker.popen.poll() is None
        assert child not in _pool_children(worker.popen.pid)
    except BaseException:
        print(processes.logs())
        print(_state(engine))
        raise
    # and every notice queued for Feishu reached the fake exactly once
    with engine.connect() as connection:
        rows = connection.execute(
            select(OutboxMessage.idempotency_key, OutboxMessage.status).where(
                OutboxMessage.platform == "feishu"
            )
        ).all()
    assert rows and {status for _, status in rows} == {OutboxStatus.SENT}
    uuids = sorted(c.body["uuid"] for c in fake.messages())
    assert uuids == sorted(dedupe_id(key) for key, _ in rows)


def _sending(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.scalar(
                select(func.count()).where(OutboxMessage.status == OutboxStatus.SENDING)
            )
            or 0
        )
