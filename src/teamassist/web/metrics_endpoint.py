"""``GET /metrics``: Prometheus's text format, for a scraper only.

Who may scrape: with ``web.metrics_token`` set, a request bearing ``Authorization: Bearer
<token>``; without it, only a client on a loopback address (a scraper beside the process).
Anyone else gets 403 (no token is asked for when none is configured).

Beside the counters of :mod:`teamassist.metrics` (of this process, or of every process sharing
``PROMETHEUS_MULTIPROC_DIR``) it adds two gauges read from the database at scrape time in one
grouped query on the outbox's ``(status, next_attempt_at)`` index, cached
:data:`CACHE_SECONDS` so that several scrapers (or replicas) cost one query each few seconds:

- ``teamassist_outbox_depth{status}``: notices ``pending`` or ``sending``;
- ``teamassist_outbox_oldest_pending_seconds``: how long the longest-waiting pending notice has
  been due (now minus its earliest ``next_attempt_at``; 0 when none is due).
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, cast

from fastapi import HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from teamassist import metrics
from teamassist.config import is_loopback
from teamassist.database import transaction
from teamassist.http.routes import Routes
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.runtime import Runtime

if TYPE_CHECKING:
    from prometheus_client.core import GaugeMetricFamily
    from prometheus_client.registry import Collector

CACHE_SECONDS = 5.0
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
WAITING = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)

router = Routes(include_in_schema=False)


@router.get("/metrics")
def scrape(request: Request) -> Response:
    """The metrics, or 403 for a caller without the token (or off loopback when none is set)."""
    runtime: Runtime = request.app.state.runtime
    if not allowed(request, runtime):
        raise HTTPException(403, "metrics: web.metrics_token as a bearer token, or loopback")
    from prometheus_client import generate_latest  # on the first scrape, not at start

    outbox: OutboxGauges = request.app.state.outbox_gauges
    registry = metrics.registry()
    registry.register(cast("Collector", outbox))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE)


def allowed(request: Request, runtime: Runtime) -> bool:
    """A bearer of ``web.metrics_token`` when one is set, else a loopback client."""
    token = runtime.settings.web.metrics_token
    if token is not None and token.get_secret_value():
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), token.get_secret_value().encode()
        )
    host = request.client.host if request.client else ""
    return is_loopback(host)


class OutboxGauges:
    """The outbox depth and oldest pending age, read at most once per :data:`CACHE_SECONDS`
    (a prometheus-client collector: it only calls ``collect``)."""

    def __init__(self, runtime: Runtime, ttl: float = CACHE_SECONDS) -> None:
        self._runtime = runtime
        self._ttl = ttl
        self._lock = threading.Lock()
        self._read_at = float("-inf")
        self._depth: dict[str, int] = {}
        self._oldest_due: datetime | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from prometheus_client.core import GaugeMetricFamily

        self._refresh()
        depth = GaugeMetricFamily(
            "teamassist_outbox_depth",
            "Notices waiting in the outbox, by status.",
            labels=["status"],
        )
        for status in WAITING:
            depth.add_metric([status], self._depth.get(status, 0))
        yield depth
        now = self._runtime.clock()
        oldest = self._oldest_due
        age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "teamassist_outbox_oldest_pending_seconds",
            "How long the longest-waiting pending notice has been due, in seconds.",
            value=age,
        )

    def _refresh(self) -> None:
        with self._lock:
            if time.monotonic() - self._read_at < self._ttl:
                return
            with transaction(self._runtime.factory, read_only=True) as session:
                rows = session.execute(
                    select(
                        OutboxMessage.status,
                        func.count(),
                        func.min(OutboxMessage.next_attempt_at),
                    )
                    .where(OutboxMessage.status.in_(WAITING))
                    .group_by(OutboxMessage.status)
                ).all()
            self._depth = {status: count for status, count, _ in rows}
            self._oldest_due = next(
                (oldest for status, _, oldest in rows if status == OutboxStatus.PENDING.value),
                None,
            )
            self._read_at = time.monotonic()
