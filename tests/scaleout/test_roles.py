"""Scale-out mode's roles in one process: what the Celery app is configured to do (and not do),
what the tasks publish, SQLite refused, connections dropped after a fork, and the scheduler's
batches run twice running each occurrence once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from benchmarks import scheduler_scale
from celery import Celery
from sqlalchemy import func, select
from typer.testing import CliRunner

from teamassist.cli import app as cli
from teamassist.clock import FileClock, FrozenClock
from teamassist.config import Settings
from teamassist.database import make_engine, make_session_factory
from teamassist.duty.jobs import jobs as duty_jobs
from teamassist.outbox.delivery import DeliveryStats
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.scheduler.models import JobRun
from teamassist.scheduler.registry import IntervalJob
from teamassist.scheduler.runner import Scheduler
from teamassist.workers import celery_app, mode
from tests.conftest import migrated
from tests.support.databases import require_backend, server_url

runner = CliRunner()
MORNING = "duty.morning_notice"


def _settings(url: str = "postgresql://x@127.0.0.1:1/x", **scale_out: str) -> Settings:
    return Settings(
        database={"url": url},
        scale_out=scale_out or {"broker_url": "memory://"},
    )


def _published(app: Celery) -> list[tuple[str, Any, Any, Any]]:
    """Every message waiting on the queue, taken off it: (task name, args, eta, priority)."""
    found = []
    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue(celery_app.QUEUE)
        try:
            while queue.qsize():
                message = queue.get(timeout=2)
                args = message.decode()[0]
                priority = message.properties.get("priority")
                found.append((message.headers["task"], args, message.headers.get("eta"), priority))
                message.ack()
        finally:
            queue.close()
    return found


# -- the mode ------------------------------------------------------------------------------------


def test_scale_out_is_off_without_a_broker_or_redis() -> None:
    assert not mode.enabled(Settings(database={"url": "sqlite://"}))
    assert mode.enabled(_settings(redis_url="redis://r:6379/0"))
    # the broker defaults to the shared Redis; a separate one wins
    assert mode.broker_url(_settings(redis_url="redis://r/0")) == "redis://r/0"
    assert mode.broker_url(_settings(redis_url="redis://r/0", broker_url="amqp://b")) == "amqp://b"


def test_sqlite_is_refused_in_scale_out_mode() -> None:
    with pytest.raises(mode.ScaleOutRefused, match="SQLite"):
        mode.check(_settings("sqlite:////tmp/ta.db"))
    mode.check(_settings("postgresql://u@db/ta"))  # a server database passes


@pytest.mark.parametrize("command", ["worker", "beat", "serve"])
def test_the_roles_refuse_sqlite_before_starting(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", f"sqlite:///{tmp_path}/ta.db")
    monkeypatch.setenv("TEAMASSIST_SCALE_OUT__REDIS_URL", "redis://127.0.0.1:1/0")
    result = runner.invoke(cli, [command])
    assert result.exit_code == 2
    assert "not SQLite" in result.output
    assert not (tmp_path / "ta.db").exists()  # refused before anything touched the database


def test_worker_and_beat_refuse_to_start_without_scale_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", "postgresql://u@127.0.0.1:1/ta")
    for command in ("worker", "beat"):
        result = runner.invoke(cli, [command])
        assert result.exit_code == 2
        assert "scale-out mode is off" in result.output


def test_an_unreachable_broker_stops_worker_and_beat_with_its_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Session 13's tester: with Redis down, ``worker`` and ``beat`` retried 100 times (Celery's
    default) for minutes. They now wait ``broker_wait_seconds`` and stop, naming the broker
    without its password. The worker checks its database first (a role names its database,
    exit 3: tests/web/test_cli_no_database.py), so it gets a real one here."""
    require_backend("postgresql")
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", migrated("postgresql").fresh_url())
    monkeypatch.setenv("TEAMASSIST_SCALE_OUT__REDIS_URL", "redis://:s3cret@127.0.0.1:1/0")
    monkeypatch.setenv("TEAMASSIST_SCALE_OUT__BROKER_WAIT_SECONDS", "0")
    for command in ("worker", "beat"):
        result = runner.invoke(cli, [command])
        assert result.exit_code == 1, result.output
        assert "无法连接 Celery 的消息代理 redis://127.0.0.1:1/0" in result.output
        assert "s3cret" not in result.output


def test_the_broker_is_tried_again_until_the_wait_is_over() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    settings = Settings(
        database={"url": "postgresql://u@db/ta"},
        scale_out={"redis_url": "redis://127.0.0.1:1/0", "broker_wait_seconds": 10},
    )
    with pytest.raises(mode.BrokerUnreachable, match="10 s"):
        mode.reach_broker(settings, clock=lambda: now[0], sleep=sleep)
    assert slept == [0.5, 1.0, 2.0, 4.0]  # the next 5 s would pass the 10 s


def test_a_running_broker_is_reached_at_once() -> None:
    require_backend("redis")
    url = server_url("redis")
    assert url
    settings = Settings(database={"url": "postgresql://u@db/ta"}, scale_out={"redis_url": url})
    mode.reach_broker(settings, sleep=lambda _: pytest.fail("waited for a running Redis"))
    # and a transport other than Redis is Celery's own business
    mode.reach_broker(_settings(broker_url="memory://"), sleep=lambda _: pytest.fail("waited"))


def test_an_amqp_broker_that_refuses_is_named_after_the_wait() -> None:
    """An ``amqp://`` broker was left to Celery, which retries 100 times at start; a closed
    port (nothing listens on port 1) is asked through kombu and named without its password."""
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    settings = _settings(broker_url="amqp://guest:s3cretPW@127.0.0.1:1//", broker_wait_seconds="2")
    with pytest.raises(mode.BrokerUnreachable) as raised:
        mode.reach_broker(settings, clock=lambda: now[0], sleep=sleep)
    message = str(raised.value)
    assert "amqp://127.0.0.1:1/" in message and "2 s" in message
    assert "s3cretPW" not in message


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://:s3cretPW@127.0.0.1:6379/0", "has scheme 'http'"),
        ("not a url at all", "is not a URL"),
        ("redis://:s3cretPW@host:abc/0", "port that is not a number"),
        ("redis://", "names no host"),
    ],
)
def test_a_malformed_redis_url_is_refused_plainly_without_its_password(
    url: str, reason: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tester's ``http://…`` Redis URL ended ``worker`` and ``serve`` in a redis-py traceback
    after 10 s. It is refused with the other configuration errors now (exit 2), by key."""
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", "postgresql://u@127.0.0.1:1/ta")
    monkeypatch.setenv("TEAMASSIST_SCALE_OUT__REDIS_URL", url)
    for command in ("worker", "beat", "serve"):
        result = runner.invoke(cli, [command])
        assert result.exit_code == 2, result.output
        assert "scale_out.redis_url" in result.output and reason in result.output
        assert "s3cretPW" not in result.output and "Traceback" not in result.output


def test_config_check_names_what_scale_out_would_refuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    monkeypatch.setenv("TEAMASSIST_SCALE_OUT__REDIS_URL", "redis://:s3cretPW@127.0.0.1:1/0")
    # SQLite with scale-out: serve and worker refuse it, so config check says so
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", f"sqlite:///{tmp_path}/ta.db")
    result = runner.invoke(cli, ["config", "check"])
    assert result.exit_code == 1
    assert "problem: 扩展模式（[scale_out]）不支持 SQLite" in result.output
    # a server database with Redis down: a warning naming the broker, not its password
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", "postgresql://u@127.0.0.1:1/ta")
    result = runner.invoke(cli, ["config", "check"])
    assert "warning: 无法连接 Celery 的消息代理 redis://127.0.0.1:1/0" in result.output
    assert "Connection refused。" in result.output and "refused.。" not in result.output
    assert "s3cretPW" not in result.output


def test_a_worker_of_a_hundred_thousand_processes_is_refused() -> None:
    result = runner.invoke(cli, ["worker", "--concurrency", "100000"])
    assert result.exit_code == 2
    assert "--concurrency" in result.output and "256" in result.output


# -- the Celery app ------------------------------------------------------------------------------


def test_the_app_treats_messages_as_nudges() -> None:
    app = celery_app.make_celery(_settings())
    conf = app.conf
    # late acknowledgement, one message reserved per process, a dead child's message requeued
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_ignore_result
    assert conf.enable_utc and conf.timezone == "UTC"
    # the visibility timeout in all three places, and every task's hard limit well below it
    vt = celery_app.VISIBILITY_TIMEOUT
    assert conf.broker_transport_options["visibility_timeout"] == vt
    assert conf.result_backend_transport_options["visibility_timeout"] == vt
    assert conf.visibility_timeout == vt
    assert conf.task_time_limit < vt / 2
    assert conf.worker_cancel_long_running_tasks_on_connection_loss


def test_a_reconfigured_app_publishes_to_its_new_broker() -> None:
    # Given the process's app used once on one broker (its connection pools are made then)
    first = celery_app.make_celery(_settings(broker_url="memory://localhost/first"))
    with first.producer_or_acquire() as producer:
        assert producer.connection.virtual_host == "first"
    # When it is configured for another broker (tests do this; CI published to the old one)
    app = celery_app.make_celery(_settings(broker_url="memory://localhost/second"))
    # Then publishing and reading both go to the new one
    with app.producer_or_acquire() as producer:
        assert producer.connection.virtual_host == "second"
    assert app.pool.connection.virtual_host == "second"


def test_beat_sends_only_the_fixed_interval_tick() -> None:
    settings = _settings()
    settings.scheduler.tick_seconds = 7.0
    conf = celery_app.make_celery(settings).conf
    assert list(conf.beat_schedule) == ["tick"]
    entry = conf.beat_schedule["tick"]
    assert entry["task"] == celery_app.TICK and entry["schedule"] == 7.0
    # a late tick is superseded, never queued up; it goes before the sweeps' batches
    assert entry["options"] == {"expires": 7.0, "priority": celery_app.PRIORITY_DAILY}
    assert conf.beat_scheduler == "celery.beat:Scheduler"  # no schedule file two beats share


@pytest.fixture
def scaled(sqlite_runtime: Runtime) -> Iterator[tuple[Celery, Runtime]]:
    """An app on the in-memory broker with ``sqlite_runtime`` installed (the tasks' code runs
    in this process; SQLite is fine here, the claims' backends are tested elsewhere)."""
    app = celery_app.make_celery(_settings())
    celery_app.install(sqlite_runtime)
    yield app, sqlite_runtime
    celery_app._process.runtime = None


def test_a_tick_hands_out_due_batches_and_nudges_every_lane(
    scaled: tuple[Celery, Runtime],
) -> None:
    # given 7 teams whose morning notices are due, batches of 3, and scale-out's nudger
    app, runtime = scaled
    engine = make_engine(runtime.settings.database.url)
    scheduler_scale.populate(engine, 7)
    engine.dispose()
    runtime.scheduler.batch = 3
    assert isinstance(runtime.clock, FrozenClock)
    runtime.clock.set(scheduler_scale.shanghai(7, 59))
    runtime.scheduler.tick()  # plans
    runtime.clock.set(scheduler_scale.shanghai(8, 0))
    runtime.kicker.worker = celery_app.Nudger(app, runtime)
    # when beat's tick runs
    app.tasks[celery_app.TICK]()
    # then the due teams go out in batches of at most 3, without an ETA, ahead of any sweep,
    # with one delivery nudge per lane ahead of everything; nothing ran yet
    messages = _published(app)
    assert all(eta is None for _, _, eta, _ in messages)
    morning = [
        (key, ids)
        for name, (key, ids), _, _ in (m for m in messages if m[0] == celery_app.RUN_TEAMS)
        if key == MORNING
    ]
    assert sorted(t for _key, ids in morning for t in ids) == list(range(1, 8))
    assert max(len(ids) for _key, ids in morning) == 3
    priorities = {args[0]: p for name, args, _, p in messages if name == celery_app.RUN_TEAMS}
    assert priorities[MORNING] == celery_app.PRIORITY_DAILY
    sweeps = {k for k, job in runtime.scheduler.by_key.items() if isinstance(job, IntervalJob)}
    assert {priorities[k] for k in sweeps & set(priorities)} <= {celery_app.PRIORITY_SWEEP}
    nudges = [(args, p) for name, args, _, p in messages if name == celery_app.DELIVER]
    assert sorted(nudges) == sorted(([lane], 0) for lane in runtime.delivery_lanes())
    assert _count(runtime, OutboxMessage) == 0
    # and a second tick before any of it ran hands out nothing again (batches and nudges wait)
    app.tasks[celery_app.TICK]()
    assert _published(app) == []
    # and running every batch twice (a redelivered message, a second beat) runs each once
    for key, ids in morning * 2:
        app.tasks[celery_app.RUN_TEAMS](key, ids)
    assert _count(runtime, OutboxMessage) == 7
    with runtime.factory() as session:
        runs = session.scalar(select(func.count()).where(JobRun.job_key == MORNING))
    assert runs == 7
    # the batches' commits found the tick's nudges still waiting: nothing more was published
    assert _published(app) == []


def test_a_batch_not_run_in_time_is_handed_out_again(
    scaled: tuple[Celery, Runtime], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a tick that handed out the morning batch (its message then lost with a worker)
    app, runtime = scaled
    engine = make_engine(runtime.settings.database.url)
    scheduler_scale.populate(engine, 2)
    engine.dispose()
    assert isinstance(runtime.clock, FrozenClock)
    runtime.clock.set(scheduler_scale.shanghai(7, 59))
    runtime.scheduler.tick()  # plans
    runtime.clock.set(scheduler_scale.shanghai(8, 0))
    app.tasks[celery_app.TICK]()
    first = [args for name, args, _, _ in _published(app) if name == celery_app.RUN_TEAMS]
    assert [MORNING, [1, 2]] in first
    # when the marker's time has passed and the batch still has not run
    later = runtime.shared._monotonic() + celery_app.BATCH_MARKER_SECONDS + 1  # type: ignore[attr-defined]
    monkeypatch.setattr(runtime.shared, "_monotonic", lambda: later)
    app.tasks[celery_app.TICK]()
    # then the next tick hands it out again
    again = [args for name, args, _, _ in _published(app) if name == celery_app.RUN_TEAMS]
    assert [MORNING, [1, 2]] in again


def _count(runtime: Runtime, model: type[OutboxMessage]) -> int:
    with runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_delivery_task_drains_its_lane_and_asks_for_help(
    scaled: tuple[Celery, Runtime],
) -> None:
    # given a lane whose first two passes come back full and whose third finds a short batch
    app, runtime = scaled
    results = [100, 100, 7]
    calls: list[str] = []

    def lane_pass(lane: str) -> DeliveryStats:
        calls.append(lane)
        claimed = results.pop(0)
        return DeliveryStats(claimed=claimed, sent=claimed)

    runtime.deliver_lane = lane_pass  # type: ignore[method-assign]
    # when one delivery task runs
    app.tasks[celery_app.DELIVER]("feishu")
    # then it passed until the lane was drained, and left one nudge for an idle worker (not
    # one per full pass)
    assert calls == ["feishu"] * 3
    assert _published(app) == [(celery_app.DELIVER, ["feishu"], None, 0)]


def test_a_delivery_task_yields_after_its_time(
    scaled: tuple[Celery, Runtime], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a lane that never drains and no time left to drain it
    app, runtime = scaled
    monkeypatch.setattr(celery_app, "DRAIN_SECONDS", 0.0)
    runtime.deliver_lane = lambda lane: DeliveryStats(claimed=100, sent=100)  # type: ignore[method-assign]
    # when a delivery task runs, it makes one pass and leaves a nudge to continue
    app.tasks[celery_app.DELIVER]("feishu")
    assert _published(app) == [(celery_app.DELIVER, ["feishu"], None, 0)]


def test_nudges_are_coalesced_until_a_delivery_task_starts(scaled: tuple[Celery, Runtime]) -> None:
    # given scale-out's nudger
    app, runtime = scaled
    nudger = celery_app.Nudger(app, runtime)
    # when commits kick it three times
    for _ in range(3):
        nudger.kick()
    # then one nudge per lane waits
    published = _published(app)
    assert sorted(args[0] for _, args, _, _ in published) == sorted(runtime.delivery_lanes())
    # and once the lane's task has started (and found the lane empty), a commit nudges again
    runtime.deliver_lane = lambda lane: DeliveryStats()  # type: ignore[method-assign]
    app.tasks[celery_app.DELIVER]("feishu")
    assert _published(app) == []
    nudger.kick()
    assert [args for _, args, _, _ in _published(app)] == [["feishu"]]


def test_a_forked_child_drops_the_parents_connections(scaled: tuple[Celery, Runtime]) -> None:
    _app, runtime = scaled
    with runtime.engine.connect():
        pass
    parents = runtime.engine.pool
    celery_app._after_fork()
    assert runtime.engine.pool is not parents


# -- the scheduler's batches, on every backend -----------------------------------------------------


def test_batches_run_twice_run_each_occurrence_once(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        scheduler_scale.populate(engine, 5)
        clock = FrozenClock(scheduler_scale.shanghai(7, 59))
        scheduler = Scheduler(make_session_factory(engine), [duty_jobs], clock=clock, batch=2)
        assert scheduler.due_batches() == []  # 07:59: planned, nothing due
        clock.set(scheduler_scale.shanghai(8, 0))
        batches = scheduler.due_batches()
        assert batches == [(MORNING, [1, 2]), (MORNING, [3, 4]), (MORNING, [5])]
        reports = [scheduler.run_teams(key, ids) for key, ids in batches + batches]
        assert [len(r.ran) for r in reports] == [2, 2, 1, 0, 0, 0]
        assert scheduler.due_batches() == []
        assert scheduler.run_teams("no.such.job", [1]).ran == []
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(OutboxMessage)) == 5
    finally:
        engine.dispose()


# -- the shared test clock -------------------------------------------------------------------------


def test_the_file_clock_follows_the_file(tmp_path: Path) -> None:
    path = tmp_path / "now"
    path.write_text("2026-06-01T09:00+08:00")
    clock = FileClock(path)
    assert clock().isoformat() == "2026-06-01T01:00:00+00:00"
    replacement = tmp_path / "next"
    replacement.write_text("2026-06-01T10:30:00Z")
    replacement.replace(path)
    assert clock().isoformat() == "2026-06-01T10:30:00+00:00"
    path.write_text("2026-06-01 10:30")
    with pytest.raises(ValueError):
        clock()
