"""The Celery app of scale-out mode: settings chosen against the documented pitfalls of Celery on
Redis (shared/research/celery-pitfalls.md, § numbers below), the tasks, and beat's schedule.

Messages are nudges only. The truth is in the database: ``job_run`` claims (unique per job, team
and slot) and outbox leases (``FOR UPDATE SKIP LOCKED`` claims). A task run twice, or not at
all, changes nothing but latency: the next tick finds whatever is still due. Hence no ETA or
countdown messages and no Celery retries (§1, §5); late acknowledgement, one message reserved
per process, a lost child's message requeued (§4, §6); UTC and fixed-interval ticks only (§11).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from celery import Celery
from celery.signals import worker_process_init

from teamassist.shared_state import SharedStateUnavailable
from teamassist.workers import mode

if TYPE_CHECKING:
    from teamassist.config import Settings
    from teamassist.runtime import Runtime

log = logging.getLogger(__name__)

TICK = "teamassist.tick"
RUN_TEAMS = "teamassist.run_teams"
DELIVER = "teamassist.deliver"
QUEUE = "teamassist"

# Redis hands an unacknowledged message to another consumer after this long (§1–§3); every
# task's hard limit is well below it, so a running task is never delivered twice for being slow.
VISIBILITY_TIMEOUT = 3600
TASK_TIME_LIMIT = 600
TASK_SOFT_TIME_LIMIT = 540
# A batch waiting longer than this in the broker is dropped: the next tick hands it out again.
BATCH_EXPIRES = 300.0
# A batch handed out is not handed out again for this long unless it ran: long enough to keep
# a backlog's ticks from queueing it again every second, short enough that a batch lost with a
# killed worker (its message back only after the visibility timeout) is soon handed out anew.
BATCH_MARKER_SECONDS = 60.0
DELIVER_EXPIRES = 120.0
# A lane's "a nudge is waiting" marker: after this long (the workers busy, or the message held
# by a stopped or dead worker) a tick or commit may publish another. 30 s let a nudge reserved
# by a paused worker hold all delivery up for 30 s (tests/scaleout/test_processes.py timed out).
NUDGE_PENDING_SECONDS = 5.0
# One delivery task drains its lane at most this long before the tasks queued behind get a turn.
DRAIN_SECONDS = 30.0

# Redis emulates priorities with one list per step, read in step order (0 first; kombu
# transport/redis.py ``priority_steps``). Notices already queued go out before more are made,
# and the per-team interval sweeps (follow-ups, steps, directory) wait behind both: at 08:00
# they fall due for every team at once and, run first, held delivery up for tens of seconds.
PRIORITY_DELIVER = 0
PRIORITY_DAILY = 3
PRIORITY_SWEEP = 6
PRIORITY_STEPS = [PRIORITY_DELIVER, PRIORITY_DAILY, PRIORITY_SWEEP, 9]


@dataclass
class _Process:
    """The runtime the tasks of this process act on (installed by ``teamassist worker``)."""

    runtime: Runtime | None = None


_process = _Process()


def install(runtime: Runtime) -> None:
    """Make ``runtime`` the one this process's tasks use."""
    _process.runtime = runtime


def _runtime() -> Runtime:
    if _process.runtime is None:
        raise RuntimeError("no runtime installed: start workers with `teamassist worker`")
    return _process.runtime


def _after_fork(**_kwargs: Any) -> None:
    # A prefork child inherits the parent's pooled connections: sharing their sockets garbles
    # the protocol (§12). Drop them without closing (the parent still owns them).
    if _process.runtime is not None:
        _process.runtime.engine.dispose(close=False)


worker_process_init.connect(_after_fork, weak=False)


# One app per process, configured by :func:`make_celery` (tasks register once, on import).
app = Celery("teamassist", set_as_current=False)


def make_celery(settings: Settings) -> Celery:
    """The process's app configured for ``settings`` (scale-out mode on). Raises
    ``ScaleOutRefused`` without a broker.

    Beat sends one :data:`TICK` every ``scheduler.tick_seconds``; a tick task plans, hands the
    due batches out as :data:`RUN_TEAMS` tasks, runs the system jobs and nudges delivery.
    """
    broker = mode.broker_url(settings)
    interval = settings.scheduler.tick_seconds
    transport = {
        "visibility_timeout": VISIBILITY_TIMEOUT,
        "socket_timeout": 10,
        "socket_connect_timeout": 10,
        "health_check_interval": 25,  # §23: notice a dead connection
        "priority_steps": PRIORITY_STEPS,
    }
    app.conf.update(
        broker_url=broker,
        broker_transport_options=transport,
        result_backend_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},  # §2
        visibility_timeout=VISIBILITY_TIMEOUT,
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,  # §22: nothing reads results
        task_acks_late=True,
        task_reject_on_worker_lost=True,  # §4: idempotent tasks only, which all of ours are
        worker_prefetch_multiplier=1,  # §6
        worker_cancel_long_running_tasks_on_connection_loss=True,  # §7
        task_time_limit=TASK_TIME_LIMIT,
        task_soft_time_limit=TASK_SOFT_TIME_LIMIT,
        task_default_queue=QUEUE,
        enable_utc=True,
        timezone="UTC",
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        # Fixed-interval ticks need no schedule file: the in-memory scheduler keeps none, so
        # two beats (by mistake) never fight over one.
        beat_scheduler="celery.beat:Scheduler",
        beat_schedule={
            "tick": {
                "task": TICK,
                "schedule": interval,
                # A tick not taken within its interval is superseded by the next one (§9).
                "options": {"expires": max(interval, 1.0), "priority": PRIORITY_DAILY},
            }
        },
    )
    _drop_connection_pools(app)
    return app


def _drop_connection_pools(celery: Celery) -> None:
    """Forget the broker connections ``celery`` pooled under an earlier configuration.

    The app is the process's one and may be configured again (tests do, for several brokers in
    one process); its connection pool and the producer pool built on it are made on first use
    and kept, so without this every publish went on to the first broker ever used while reads
    followed the new URL. Celery clears the same two after a fork (``Celery._after_fork``).
    """
    celery._pool = None  # forgotten, not closed: closing may wait on a hung broker
    producers = celery.__dict__.get("amqp")  # a cached property: present once used
    if producers is not None:
        producers._producer_pool = None


def tick() -> None:
    """Plan, hand out the due batches, run the system jobs (once per interval), nudge delivery.

    A batch already handed out and not yet finished is not handed out again: with 1 s ticks and
    a backlog, every tick used to queue every waiting batch once more (each a no-op when it
    finally ran, but one database round per team list and a queue that only grew).
    """
    runtime = _runtime()
    for key, team_ids in runtime.scheduler.due_batches():
        if _claim_marker(runtime, _batch_marker(key, team_ids), BATCH_MARKER_SECONDS):
            app.send_task(
                RUN_TEAMS, (key, team_ids), expires=BATCH_EXPIRES, priority=_priority(runtime, key)
            )
    # Two beats, or a tick redelivered, must not run them twice in one interval (they scan
    # the inbox and the retention window; the work is idempotent, the scan is not free).
    interval = runtime.settings.scheduler.tick_seconds
    if _claim_marker(runtime, "system-jobs", max(interval * 0.8, 0.5)):
        runtime.scheduler.run_system_jobs()
    nudge(app, runtime)


def run_teams(key: str, team_ids: list[int]) -> None:
    """Run one batch; its failures are recorded per team by the scheduler."""
    runtime = _runtime()
    try:
        report = runtime.scheduler.run_teams(key, team_ids)
    finally:
        _drop_marker(runtime, _batch_marker(key, team_ids))  # the next tick may hand it out
    if report.failed:
        log.warning("%s: %d of the batch's runs failed", key, len(report.failed))


def deliver(lane: str) -> None:
    """Drain ``lane`` in passes of at most ``DELIVERY_BATCH`` for up to ``DRAIN_SECONDS``.

    The lane's pending-nudge marker is dropped first: a commit from now on nudges again, and
    whatever was committed before is claimed by the passes below, so no wake-up is lost. While
    passes come back full one more nudge is left pending, for an idle worker to help with the
    backlog; one still pending when time runs out continues it after the tasks queued behind.
    """
    from teamassist.runtime import DELIVERY_BATCH

    runtime = _runtime()
    _drop_marker(runtime, _pending(lane))
    started = time.monotonic()
    while True:
        stats = runtime.deliver_lane(lane)
        if stats.drained(DELIVERY_BATCH):
            return
        _nudge_lane(app, runtime, lane)
        if time.monotonic() - started >= DRAIN_SECONDS:
            return


def _priority(runtime: Runtime, key: str) -> int:
    from teamassist.scheduler.registry import IntervalJob

    job = runtime.scheduler.by_key.get(key)
    return PRIORITY_SWEEP if isinstance(job, IntervalJob) else PRIORITY_DAILY


def _batch_marker(key: str, team_ids: list[int]) -> str:
    return f"batch:{key}:{team_ids[0]}-{team_ids[-1]}:{len(team_ids)}" if team_ids else key


def _pending(lane: str) -> str:
    return f"deliver-pending:{lane}"


def _claim_marker(runtime: Runtime, name: str, ttl: float) -> bool:
    """Set the shared marker ``name`` unless set; True when this call set it. Without Redis
    the answer is True: an extra message costs a no-op task, a missing one a delay."""
    try:
        return runtime.shared.put(name, "1", ttl=ttl, only_new=True)
    except Exception:
        log.warning("shared state unreachable; publishing without coalescing", exc_info=True)
        return True


def _drop_marker(runtime: Runtime, name: str) -> None:
    try:
        runtime.shared.delete(name)
    except Exception:  # it expires on its own
        log.warning("shared state unreachable; marker %s left to expire", name, exc_info=True)


# Registered by call, not as decorators: Celery has no type hints, and a decorated function
# would lose its own.
app.task(name=TICK)(tick)
app.task(name=RUN_TEAMS)(run_teams)
app.task(name=DELIVER)(deliver)


def nudge(app: Celery, runtime: Runtime) -> None:
    """Ask for delivery of every lane (on each tick; a commit asks for its lanes only,
    :class:`Nudger`)."""
    for lane in runtime.delivery_lanes():
        _nudge_lane(app, runtime, lane)


def _nudge_lane(app: Celery, runtime: Runtime, lane: str, *, strict: bool = False) -> None:
    """Publish a delivery nudge for ``lane`` unless one is already waiting to be taken;
    ``strict`` (a commit's nudge): raise instead of publishing to a broker known down.

    Every commit that queued notices used to publish one per lane: 10,000 teams' morning
    notices in batches of 500 meant 40 nudges, most of them finding nothing left to claim.
    """
    if _claim_marker(runtime, _pending(lane), NUDGE_PENDING_SECONDS):
        if strict and _broker_down(runtime):
            raise SharedStateUnavailable("the broker's Redis is unreachable")
        app.send_task(DELIVER, (lane,), expires=DELIVER_EXPIRES, priority=PRIORITY_DELIVER)


def _broker_down(runtime: Runtime) -> bool:
    """True when the broker is the shared-state Redis and that failed a moment ago (its
    back-off window): a publish would wait out the same timeout."""
    from teamassist.shared_state.redis_state import RedisState

    shared = runtime.shared
    scale_out = runtime.settings.scale_out
    same = scale_out.broker_url in ("", scale_out.redis_url)  # empty: that Redis
    return same and isinstance(shared, RedisState) and shared.down()


class Nudger:
    """Publishes delivery nudges when kicked: the scale-out stand-in for the embedded worker.

    Kicked after a commit (never inside a transaction, §15), in the request's thread; a publish
    that fails is logged and dropped, since the next tick nudges delivery anyway. After a
    failure nothing is published for ``scale_out.redis_backoff_seconds``: with Redis hung every
    commit would otherwise wait out the broker's socket timeouts (a chat command took 15 s).
    """

    def __init__(self, app: Celery, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime
        self.backoff = runtime.settings.scale_out.redis_backoff_seconds
        self._paused_until = 0.0

    def kick(self, platforms: Collection[str] | None = None) -> None:
        """Publish a nudge for each lane of ``platforms`` (None: every lane) without one
        waiting; nothing while paused after a failure."""
        if self._paused_until and time.monotonic() < self._paused_until:
            return
        try:
            for lane in self.runtime.lanes_of(platforms):
                _nudge_lane(self.app, self.runtime, lane, strict=True)
        except Exception as exc:
            self._paused_until = time.monotonic() + self.backoff
            log.warning(
                "could not publish a delivery nudge (%s); none for %g s, the next tick delivers",
                type(exc).__name__,
                self.backoff,
            )


def node_name() -> str:
    """A worker node name unique on this host (two workers on one host must not share one)."""
    return f"teamassist.{os.getpid()}@%h"
