"""Outbox drain on SQLite: 10,000 pending notices to a fast local fake HTTP platform.

1. 10,000 notices queued to 50 destinations of one platform (not timed).
2. The delivery loop as the worker runs it (``deliver_due`` for that platform, again at once after
   every full batch, until a pass finds nothing): claim, lanes per destination, one HTTP POST per
   notice to the fake, record each outcome. Reported: notices per second.
3. The relevant peer: a bare loop POSTing the same number of bodies to the same fake with the same
   HTTP client, one at a time. Reported: requests per second, and drain ÷ bare.
4. The rate-limited case (issue 9): 1,000 notices to one robot that takes 20 a minute (a sender
   that counts by the frozen clock, no HTTP: the outbox's own cost). Passes as the worker runs
   them, again at once until one comes back drained, then the clock moves a minute; until all
   are sent. Reported: passes, transactions and statements (one pass and in all), seconds.
   ``OUTBOX_DRAIN_LIMITED_URLS``: more databases to run it on (comma-separated URLs of empty
   databases, migrated here; its rows are left there).

Run: ``python -m benchmarks.outbox_drain`` (or ``make bench``); ``OUTBOX_DRAIN_CASES=limited``
for the rate-limited case alone.
"""

from __future__ import annotations

import os
import platform
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from sqlalchemy import func, select

from teamassist import migrate
from teamassist.bootstrap import build_runtime
from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.config import Settings
from teamassist.database import StatementCounter, transaction
from teamassist.outbox import service
from teamassist.outbox.delivery import deliver_due
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.outbox.senders import DeliveryError, OutgoingMessage

NOTICES = int(os.environ.get("OUTBOX_DRAIN_NOTICES", "10000"))
DESTINATIONS = 50
BATCH = 100
START = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
CASES = os.environ.get("OUTBOX_DRAIN_CASES", "fast,limited").split(",")
LIMITED = int(os.environ.get("OUTBOX_DRAIN_LIMITED", "1000"))
PER_MINUTE = 20


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one segment. Written apart (send_response, then the body), the
    # second small write waits for the client's delayed ACK (Nagle): ~40 ms per request, which
    # made this "fast" fake answer 21 requests a second and measured the fake, not the outbox.
    _ANSWER = (
        b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"code":0}'
    )

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.wfile.write(self._ANSWER)

    def log_message(self, format: str, *args: object) -> None:
        return


class _HttpSender:
    """A sender as thin as a platform adapter's: one JSON POST per notice."""

    platform = "feishu"

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(timeout=10, limits=httpx.Limits(max_connections=64))

    def send(self, message: OutgoingMessage) -> str | None:
        response = self.client.post(
            self.url, json={"to": message.address, "text": message.reply.body}
        )
        response.raise_for_status()
        return None


class _Robot:
    """A WeCom robot's limit without the robot: ``PER_MINUTE`` sends a minute of ``clock``,
    then a wait until the minute is over."""

    platform = "wecom"

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock
        self.minute = clock()
        self.used = 0

    def send(self, message: OutgoingMessage) -> str | None:
        now = self.clock()
        if now >= self.minute + timedelta(minutes=1):
            self.minute, self.used = now, 0
        if self.used >= PER_MINUTE:
            left = (self.minute + timedelta(minutes=1) - now).total_seconds()
            raise DeliveryError("robot at its 20/min limit", retry_after=left)
        self.used += 1
        return None


def limited(db_url: str) -> None:
    """Drain ``LIMITED`` notices through one robot at 20 a minute on ``db_url``; print."""
    migrate.upgrade(db_url)
    clock = FrozenClock(START)
    runtime = build_runtime(Settings(database={"url": db_url}), clock=clock)
    runtime.senders["wecom"] = _Robot(clock)
    with transaction(runtime.factory) as session:
        for n in range(LIMITED):
            service.enqueue(
                session,
                key=f"bench-limited:{n}",
                platform="wecom",
                address="duty",
                reply=Reply(body=f"值班提醒 #{n}"),
                now=START,
            )
    sent = passes = minutes = 0
    per_pass: list[int] = []
    started = time.perf_counter()
    with StatementCounter(runtime.engine) as counter:
        while sent < LIMITED and minutes <= 2 * LIMITED // PER_MINUTE:
            before = counter.transactions
            stats = deliver_due(
                runtime.factory,
                runtime.senders,
                runtime.settings.outbox,
                clock(),
                limit=BATCH,
                platforms=["wecom"],
            )
            sent, passes = sent + stats.sent, passes + 1
            per_pass.append(counter.transactions - before)
            if stats.drained(BATCH):  # the worker would sleep: let a minute of the robot pass
                clock.set(clock() + timedelta(minutes=1))
                minutes += 1
    seconds = time.perf_counter() - started
    with runtime.factory() as session:
        attempts = set(session.scalars(select(OutboxMessage.attempts)))
    runtime.close()
    print(
        f"rate-limited ({runtime.engine.dialect.name}): {LIMITED} notices to one robot at "
        f"{PER_MINUTE}/min: {sent} sent in {minutes} robot minutes, {passes} passes, "
        f"{counter.transactions} transactions ({max(per_pass)} in the largest pass), "
        f"{len(counter.statements)} statements, {seconds:.2f} s; attempts {sorted(attempts)}"
    )


def main() -> None:
    """Run the cases: the fast drain beside the bare loop, the rate-limited drain."""
    if "fast" in CASES:
        fast()
    if "limited" in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            limited(f"sqlite:///{Path(tmp) / 'limited.db'}")
        for url in filter(None, os.environ.get("OUTBOX_DRAIN_LIMITED_URLS", "").split(",")):
            limited(url)


def fast() -> None:
    """Queue, drain, compare with the bare loop, print."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/send"
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(db_url)
        runtime = build_runtime(Settings(database={"url": db_url}), clock=FrozenClock(START))
        sender = _HttpSender(url)
        runtime.senders["feishu"] = sender
        with transaction(runtime.factory) as session:
            for n in range(NOTICES):
                service.enqueue(
                    session,
                    key=f"bench:{n}",
                    platform="feishu",
                    address=f"chat-{n % DESTINATIONS}",
                    reply=Reply(body=f"值班提醒 #{n}"),
                    now=START,
                )
        started = time.perf_counter()
        passes = 0
        while True:
            stats = deliver_due(
                runtime.factory,
                runtime.senders,
                runtime.settings.outbox,
                runtime.clock(),
                limit=BATCH,
                platforms=["feishu"],
            )
            passes += 1
            if stats.claimed == 0:
                break
        drain_seconds = time.perf_counter() - started
        with runtime.factory() as session:
            sent = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.SENT)
            )
        runtime.close()
    started = time.perf_counter()
    for n in range(NOTICES):
        sender.client.post(url, json={"to": f"chat-{n % DESTINATIONS}", "text": f"#{n}"})
    bare_seconds = time.perf_counter() - started
    server.shutdown()
    drain_rate, bare_rate = NOTICES / drain_seconds, NOTICES / bare_seconds
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, load "
        f"{os.getloadavg()[0]:.1f}; SQLite file, {NOTICES} notices to {DESTINATIONS} "
        f"destinations, batch {BATCH}, "
        f"{runtime.settings.outbox.lanes_per_platform} lanes per platform"
    )
    print(
        f"outbox drain: {sent} sent in {drain_seconds:.1f} s, {passes} passes: {drain_rate:.0f}/s"
    )
    print(f"bare loop (POST to the fake, one at a time): {bare_rate:.0f}/s")
    print(f"drain ÷ bare: {drain_rate / bare_rate:.2f}")


if __name__ == "__main__":
    main()
