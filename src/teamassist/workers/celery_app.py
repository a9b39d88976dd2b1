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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from celery import Celery
from celery.signals import worker_process_init

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
DELIVER_EXPIRES = 120.0


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
                "options": {"expires": max(interval, 1.0)},
            }
        },
    )
    return app


def tick() -> None:
    """Plan, hand out the due batches, run the system jobs, nudge delivery."""
    runtime = _runtime()
    for key, team_ids in runtime.scheduler.due_batches():
        app.send_task(RUN_TEAMS, (key, team_ids), expires=BATCH_EXPIRES)
    runtime.scheduler.run_system_jobs()
    nudge(app, runtime)


def run_teams(key: str, team_ids: list[int]) -> None:
    """Run one batch; its failures are recorded per team by the scheduler."""
    report = _runtime().scheduler.run_teams(key, team_ids)
    if report.failed:
        log.warning("%s: %d of the batch's runs failed", key, len(report.failed))


def deliver(lane: str) -> None:
    """One delivery pass of ``lane``; a full batch asks for another pass at once."""
    from teamassist.runtime import DELIVERY_BATCH

    stats = _runtime().deliver_lane(lane)
    if not stats.drained(DELIVERY_BATCH):
        app.send_task(DELIVER, (lane,), expires=DELIVER_EXPIRES)


# Registered by call, not as decorators: Celery has no type hints, and a decorated function
# would lose its own.
app.task(name=TICK)(tick)
app.task(name=RUN_TEAMS)(run_teams)
app.task(name=DELIVER)(deliver)


def nudge(app: Celery, runtime: Runtime) -> None:
    """Ask for one delivery pass of every lane (after a commit that queued notices)."""
    for lane in runtime.delivery_lanes():
        app.send_task(DELIVER, (lane,), expires=DELIVER_EXPIRES)


class Nudger:
    """Publishes delivery nudges when kicked: the scale-out stand-in for the embedded worker.

    Kicked after a commit (never inside a transaction, §15); a publish that fails is logged and
    dropped, since the next tick nudges delivery anyway.
    """

    def __init__(self, app: Celery, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    def kick(self) -> None:
        """Publish one nudge per delivery lane."""
        try:
            nudge(self.app, self.runtime)
        except Exception:
            log.exception("could not publish a delivery nudge; the next tick delivers")


def node_name() -> str:
    """A worker node name unique on this host (two workers on one host must not share one)."""
    return f"teamassist.{os.getpid()}@%h"
