"""The outbox drains: concurrent lanes, a slow platform delays only itself, leases cover the work,
and the worker runs again at once after a full batch (issue #9)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.outbox import service
from teamassist.outbox.delivery import DeliveryStats, DeliveryWorker
from teamassist.outbox.senders import OutgoingMessage
from teamassist.runtime import Runtime

WAIT = 30.0  # generous: only reached when the behaviour is wrong


def _queue(rt: Runtime, platform: str, count: int, address: str = "ops") -> None:
    with transaction(rt.factory) as session:
        for n in range(count):
            service.enqueue(
                session,
                key=f"{platform}:{address}:{n}",
                platform=platform,
                address=address,
                reply=Reply(body=f"通知 {n}"),
                now=rt.clock(),
            )


class _Fast:
    def __init__(self, platform: str, expected: int) -> None:
        self.platform = platform
        self.expected = expected
        self.sent: list[int] = []
        self.all_sent = threading.Event()
        self.lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> str | None:
        with self.lock:
            self.sent.append(message.outbox_id)
            if len(self.sent) == self.expected:
                self.all_sent.set()
        return None


class _Slow:
    """Answers only after the fast platform is done (or after WAIT: its 'timeout')."""

    def __init__(self, platform: str, until: threading.Event) -> None:
        self.platform = platform
        self.until = until
        self.fast_done_before_first_answer: bool | None = None

    def send(self, message: OutgoingMessage) -> str | None:
        done = self.until.wait(WAIT)
        if self.fast_done_before_first_answer is None:
            self.fast_done_before_first_answer = done
        return None


def test_a_slow_platform_does_not_delay_a_fast_ones_notices(runtime: Runtime) -> None:
    rt = runtime  # every backend: the isolation must not depend on SQLite's single writer
    fast = _Fast("feishu", expected=20)
    slow = _Slow("qq", until=fast.all_sent)
    rt.senders["feishu"], rt.senders["qq"] = fast, slow
    _queue(rt, "qq", 3)  # queued first: a sequential pass would wait on these
    _queue(rt, "feishu", 20)
    started = time.monotonic()
    stats = rt.deliver()
    assert stats.sent == 23
    # every fast notice went out before the slow platform answered its first one
    assert slow.fast_done_before_first_answer is True
    assert time.monotonic() - started < WAIT


def test_one_destination_keeps_its_order(sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    fast = _Fast("feishu", expected=30)
    rt.senders["feishu"] = fast
    _queue(rt, "feishu", 30)
    assert rt.deliver().sent == 30
    assert fast.sent == sorted(fast.sent)


def test_a_lease_does_not_expire_mid_send(sqlite_runtime: Runtime, clock: FrozenClock) -> None:
    rt = sqlite_runtime
    sending, release = threading.Event(), threading.Event()

    class Blocking:
        platform = "feishu"

        def send(self, message: OutgoingMessage) -> str | None:
            sending.set()
            release.wait(WAIT)
            return None

    rt.senders["feishu"] = Blocking()
    _queue(rt, "feishu", 1)
    first = threading.Thread(target=rt.deliver)
    first.start()
    try:
        assert sending.wait(WAIT)
        # the send takes longer than the plain lease: a second runner still finds nothing
        clock.set(clock() + timedelta(seconds=rt.settings.outbox.lease_seconds + 1))
        with transaction(rt.factory) as session:
            again = service.claim_due(
                session, now=clock(), lease_seconds=rt.settings.outbox.lease_seconds, limit=100
            )
        assert again == []
    finally:
        release.set()
        first.join(WAIT)


def test_the_worker_runs_again_at_once_after_a_full_batch() -> None:
    calls: list[float] = []
    done = threading.Event()

    def run_once() -> DeliveryStats:
        calls.append(time.monotonic())
        if len(calls) >= 6:
            done.set()
            return DeliveryStats(claimed=3)  # a short batch: now it may sleep
        return DeliveryStats(claimed=10, sent=10)

    worker = DeliveryWorker(run_once, interval=3600, batch=10)
    worker.start()
    try:
        assert done.wait(WAIT)  # six passes without an hour's sleep between any two
    finally:
        worker.stop()
    assert len(calls) == 6  # and then it sleeps


def test_the_worker_sleeps_when_everything_is_rate_limited() -> None:
    calls: list[float] = []

    def run_once() -> DeliveryStats:
        calls.append(time.monotonic())
        return DeliveryStats(claimed=10, retried=10, rate_limited=10)

    worker = DeliveryWorker(run_once, interval=3600, batch=10)
    worker.start()
    time.sleep(0.5)
    worker.stop()
    assert len(calls) == 1


def test_a_kick_wakes_only_the_loops_of_what_was_queued() -> None:
    """A command that queued a web notice wakes the web loop alone: every other loop spent an
    empty claim per command (issue 9), and a notice of a platform no sender here handles could
    only fail now ("not enabled"), so it waits for its loop's interval."""
    passes: dict[str, list[float]] = {"web": [], "": []}
    ran = {lane: threading.Semaphore(0) for lane in passes}

    def pass_of(lane: str) -> DeliveryStats:
        passes[lane].append(time.monotonic())
        ran[lane].release()
        return DeliveryStats()

    worker = DeliveryWorker(
        [lambda: pass_of("web"), lambda: pass_of("")], interval=3600, batch=10, lanes=["web", ""]
    )
    worker.start()
    try:
        assert all(ran[lane].acquire(timeout=WAIT) for lane in passes)  # the first passes
        worker.kick({"web"})
        assert ran["web"].acquire(timeout=WAIT)
        worker.kick({"feishu"})  # not enabled here
        worker.kick(frozenset())
        time.sleep(0.3)
        assert (len(passes["web"]), len(passes[""])) == (2, 1)
        worker.kick(None)  # the caller cannot tell: every loop
        assert all(ran[lane].acquire(timeout=WAIT) for lane in passes)
    finally:
        worker.stop()
    assert len(passes[""]) >= 2


def test_claims_held_open_at_once_never_overlap(runtime: Runtime, clock: FrozenClock) -> None:
    """Two workers inside open transactions at the same time, on every backend: the second
    skips what the first holds (PostgreSQL, MariaDB) or waits for it (SQLite)."""
    rt = runtime
    _queue(rt, "feishu", 8)
    first_holds, results = threading.Event(), {}

    def second() -> None:
        first_holds.wait(WAIT)
        with transaction(rt.factory) as session:
            results["b"] = service.claim_due(session, now=clock(), lease_seconds=60, limit=8)

    other = threading.Thread(target=second)
    other.start()
    with transaction(rt.factory) as session:
        results["a"] = service.claim_due(session, now=clock(), lease_seconds=60, limit=5)
        first_holds.set()
        time.sleep(0.3)  # the second claim runs (or waits) while this one is uncommitted
    other.join(WAIT)
    a, b = results["a"], results["b"]
    assert len(a) == 5 and not set(a) & set(b)
    # MariaDB locks every row its sorted scan read, so the second may find nothing free until
    # the first commits; nothing is ever claimed twice, and nothing is left behind.
    with transaction(rt.factory) as session:
        rest = service.claim_due(session, now=clock(), lease_seconds=60, limit=8)
    assert sorted(a + b + rest) == sorted(set(a + b + rest)) and len(a + b + rest) == 8


def test_a_batch_costs_a_few_statements_not_a_few_per_notice(sqlite_runtime: Runtime) -> None:
    """Claim, load and record 60 notices of two platforms: statements do not grow per notice
    (it was 4 per notice and a commit each: the drain ran at 29/s)."""
    from sqlalchemy import event

    rt = sqlite_runtime
    rt.senders["feishu"] = _Fast("feishu", expected=40)
    rt.senders["qq"] = _Fast("qq", expected=20)
    _queue(rt, "feishu", 40)
    _queue(rt, "qq", 20, address="channel:7")
    statements: list[str] = []

    def count(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        statements.append(sql.split()[0].upper())

    event.listen(rt.engine, "before_cursor_execute", count)
    try:
        stats = rt.deliver()
    finally:
        event.remove(rt.engine, "before_cursor_execute", count)
    assert stats.sent == 60
    writes = [s for s in statements if s in ("UPDATE", "INSERT", "DELETE")]
    # claim: one uncertain-mark and one claim per platform; records: two lanes of at most
    # ceil(n / 25) groups each (and at most one more per 50 ms a slow machine takes)
    assert len(writes) <= 3 + 2 * 4, statements
    assert len(statements) <= 30, statements


def test_kicks_in_a_busy_stream_share_a_pass() -> None:
    """Kicked again and again (a notice per command), a loop claims at most once per
    ``gather`` seconds, so the kicks share a pass (issue 9); after a quiet spell a kick is
    served at once."""
    passes: list[float] = []
    ran = threading.Semaphore(0)

    def run_once() -> DeliveryStats:
        passes.append(time.monotonic())
        ran.release()
        return DeliveryStats()

    worker = DeliveryWorker(run_once, interval=3600, batch=10, gather=0.6)
    worker.start()
    try:
        assert ran.acquire(timeout=WAIT)  # the first pass
        for _ in range(10):  # ten commands' kicks within ~0.1 s
            worker.kick(None)
            time.sleep(0.01)
        assert ran.acquire(timeout=WAIT)
        time.sleep(0.3)
        assert len(passes) == 2  # one pass for all ten kicks
        assert passes[1] - passes[0] >= 0.6  # not before the gathering time ran out
        time.sleep(1.0)  # quiet
        kicked = time.monotonic()
        worker.kick(None)
        assert ran.acquire(timeout=WAIT)
        assert passes[2] - kicked < 0.5  # served at once, not after another gathering time
    finally:
        worker.stop()
