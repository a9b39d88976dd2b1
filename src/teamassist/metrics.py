"""Prometheus metrics recorded at the existing seams: the chat dispatcher, the outbox sender and
the scheduler's claim. ``/metrics`` (``teamassist.web.metrics_endpoint``) exposes them with the
outbox gauges read at scrape time.

Names (all ``teamassist_``-prefixed; seconds are wall-clock seconds):

- ``events_handled_total{platform, outcome}``: inbound chat events; ``outcome`` is ``handled``
  (answered or nothing to answer), ``refused`` (the user's error: a catalogue reply), ``failed``
  (a bug: the reply shows an error id), ``duplicate`` (a redelivery, answered with nothing).
- ``command_seconds{command}``: histogram of a command's time from the parsed message to its
  reply, inside the transaction; ``command`` is the registry key (``duty.signin``), never text.
- ``outbox_sent_total{platform}``: notices a platform accepted.
- ``platform_errors_total{platform, code}``: failed platform calls; ``code`` is the platform's
  error code when it gave one (QQ, Feishu), else ``rate_limited``, ``ambiguous``
  (no answer: may have been taken), ``transient``, ``permanent``, ``crash`` (a sender bug) or
  ``disabled`` (no sender for the platform in this process).
- ``job_lateness_seconds{job}``: histogram of claim time minus due time of each job occurrence
  a scheduler tick claimed (``job`` is the job key).

Several processes (uvicorn workers, Celery's prefork children) share their counts through
files when ``PROMETHEUS_MULTIPROC_DIR`` names an empty, writable folder before the process
starts (prometheus-client's multiprocess mode); docs/deployment.md says how.

prometheus-client (20 modules) is loaded only when something reads the metrics (``/metrics``, a
worker's exporter) or when counts go to ``PROMETHEUS_MULTIPROC_DIR`` files: until then this
process keeps its counts in plain dicts, and :func:`families` turns them into Prometheus
metric families at scrape time (issue 9: what an idle server holds).
"""

from __future__ import annotations

import os
import threading
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Final, cast

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter, Histogram
    from prometheus_client.metrics_core import Metric
    from prometheus_client.registry import Collector

MULTIPROC_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"


@dataclass(frozen=True, eq=False)  # hashed by identity: a dict key on the hot path
class _Spec:
    """One metric: its name (without ``_total``), help, label names, and buckets (a histogram)."""

    name: str
    help: str
    labels: tuple[str, ...]
    buckets: tuple[float, ...] = ()


EVENTS = _Spec(
    "teamassist_events_handled",
    "Inbound chat events handled, by platform and outcome.",
    ("platform", "outcome"),
)
COMMAND_SECONDS = _Spec(
    "teamassist_command_seconds",
    "Time from a parsed chat command to its reply (inside the transaction), by command key.",
    ("command",),
    (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
OUTBOX_SENT = _Spec(
    "teamassist_outbox_sent", "Notices a platform accepted, by platform.", ("platform",)
)
PLATFORM_ERRORS = _Spec(
    "teamassist_platform_errors",
    "Failed platform sends, by platform and error code.",
    ("platform", "code"),
)
JOB_LATENESS = _Spec(
    "teamassist_job_lateness_seconds",
    "Claim time minus due time of each job occurrence a tick claimed, by job key.",
    ("job",),
    (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200),
)
SPECS: Final = (EVENTS, COMMAND_SECONDS, OUTBOX_SENT, PLATFORM_ERRORS, JOB_LATENESS)


@dataclass
class _Series:
    """One labelled series: a counter's value, or a histogram's per-bucket counts (the last
    is +Inf), observation count and sum."""

    value: float = 0.0
    buckets: list[int] = field(default_factory=list)
    total: float = 0.0


_lock = threading.Lock()
_series: dict[tuple[_Spec, tuple[str, ...]], _Series] = {}


def _add(spec: _Spec, labels: tuple[str, ...], amount: float = 1.0) -> None:
    if multiprocess():
        _prometheus_child(spec, labels).inc(amount)  # type: ignore[union-attr]
        return
    with _lock:
        series = _series.get((spec, labels))
        if series is None:
            series = _series[(spec, labels)] = _Series()
        series.value += amount


def _observe(spec: _Spec, labels: tuple[str, ...], values: list[float]) -> None:
    if multiprocess():
        child = _prometheus_child(spec, labels)
        for value in values:
            child.observe(value)  # type: ignore[union-attr]
        return
    with _lock:
        series = _series.get((spec, labels))
        if series is None:
            series = _series[(spec, labels)] = _Series(buckets=[0] * (len(spec.buckets) + 1))
        for value in values:
            # buckets are "less than or equal": bisect_left finds the first bound >= value
            series.buckets[bisect_left(spec.buckets, value)] += 1
            series.total += value


def event(platform: str, outcome: str) -> None:
    """Count one inbound event (``outcome``: handled, refused, failed, duplicate)."""
    _add(EVENTS, (platform, outcome))


def command(key: str, seconds: float) -> None:
    """Time one command by its registry key."""
    _observe(COMMAND_SECONDS, (key,), [seconds])


def sent(platform: str) -> None:
    """Count one notice a platform accepted."""
    _add(OUTBOX_SENT, (platform,))


def platform_error(platform: str, code: str) -> None:
    """Count one failed send (``code``: see the module docstring)."""
    _add(PLATFORM_ERRORS, (platform, code[:40]))


def job_lateness(job: str, seconds: list[float]) -> None:
    """Record how late each claimed occurrence of ``job`` ran (negative values count as 0)."""
    _observe(JOB_LATENESS, (job,), [max(0.0, value) for value in seconds])


def families() -> Iterator[Metric]:
    """This process's counts as Prometheus metric families (single-process mode), every
    metric present even before its first count, as prometheus-client's own metrics are."""
    from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
    from prometheus_client.utils import floatToGoString

    with _lock:
        snapshot = {
            key: _Series(series.value, list(series.buckets), series.total)
            for key, series in _series.items()
        }
    for spec in SPECS:
        rows = [(labels, s) for (owner, labels), s in snapshot.items() if owner is spec]
        if not spec.buckets:
            counter = CounterMetricFamily(spec.name, spec.help, labels=spec.labels)
            for labels, series in rows:
                counter.add_metric(labels, series.value)
            yield counter
            continue
        histogram = HistogramMetricFamily(spec.name, spec.help, labels=spec.labels)
        bounds = [*(floatToGoString(b) for b in spec.buckets), "+Inf"]  # type: ignore[no-untyped-call]
        for labels, series in rows:
            cumulative, running = [], 0
            for bound, count in zip(bounds, series.buckets, strict=True):
                running += count
                cumulative.append((bound, float(running)))
            histogram.add_metric(labels, cumulative, series.total)
        yield histogram


def multiprocess() -> bool:
    """Whether counts are shared through ``PROMETHEUS_MULTIPROC_DIR`` files."""
    return bool(os.environ.get(MULTIPROC_ENV))


@cache
def _prometheus() -> dict[_Spec, Counter | Histogram]:
    """prometheus-client's own metrics, for multiprocess mode (they write the shared files)."""
    from prometheus_client import CollectorRegistry, Counter, Histogram

    registry = CollectorRegistry(auto_describe=True)  # ours alone, not the global one
    made: dict[_Spec, Counter | Histogram] = {}
    for spec in SPECS:
        if spec.buckets:
            made[spec] = Histogram(
                spec.name, spec.help, spec.labels, buckets=spec.buckets, registry=registry
            )
        else:
            made[spec] = Counter(spec.name, spec.help, spec.labels, registry=registry)
    return made


# ``labels()`` takes a lock and builds a tuple each call; the hot path reuses the child.
_children: dict[tuple[_Spec, tuple[str, ...]], Counter | Histogram] = {}


def _prometheus_child(spec: _Spec, labels: tuple[str, ...]) -> Counter | Histogram:
    child = _children.get((spec, labels))
    if child is None:
        with _lock:
            child = _children[(spec, labels)] = _prometheus()[spec].labels(*labels)
    return child


def registry() -> CollectorRegistry:
    """A registry reporting this process's counts, or every process's in multiprocess mode."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    found = CollectorRegistry(auto_describe=False)
    if multiprocess():
        MultiProcessCollector(found)  # type: ignore[no-untyped-call]
    else:
        found.register(cast("Collector", _Ours()))
    return found


class _Ours:
    """A collector of :func:`families` (prometheus-client only calls ``collect``)."""

    def collect(self) -> Iterator[Metric]:
        return families()


def serve_http(port: int, host: str = "127.0.0.1") -> None:
    """Expose the metrics on ``http://host:port/`` from a daemon thread, for a process that
    serves no HTTP of its own (``teamassist worker --metrics-port``). With
    ``PROMETHEUS_MULTIPROC_DIR`` set it reports every process writing there (Celery's prefork
    children, where the work runs); without, only this process. No token: bind it to loopback
    or a network only the scraper reaches."""
    from prometheus_client import start_http_server

    start_http_server(port, addr=host, registry=registry())
