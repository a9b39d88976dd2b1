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

prometheus-client (20 modules, ~0.9 MiB) is imported when this process first counts something
or is first scraped, not at start: an idle server that never answers a chat event holds none of
it (issue 9). Its own ``Counter``/``Histogram`` objects do the counting from then on.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Final, TypeVar, cast

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter, Histogram
    from prometheus_client.metrics_core import Metric
    from prometheus_client.registry import Collector

MULTIPROC_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"


@dataclass(frozen=True)
class _Metrics:
    """prometheus-client's metrics of this process, in a registry of ours alone (not the
    library's global one: the endpoint decides what it adds)."""

    registry: CollectorRegistry
    events: Counter
    command_seconds: Histogram
    outbox_sent: Counter
    platform_errors: Counter
    job_lateness: Histogram


@cache
def _metrics() -> _Metrics:
    """Import prometheus-client and make the metrics, once (on the first count or scrape)."""
    from prometheus_client import CollectorRegistry, Counter, Histogram

    registry = CollectorRegistry(auto_describe=True)
    return _Metrics(
        registry=registry,
        events=Counter(
            "teamassist_events_handled",
            "Inbound chat events handled, by platform and outcome.",
            ["platform", "outcome"],
            registry=registry,
        ),
        command_seconds=Histogram(
            "teamassist_command_seconds",
            "Time from a parsed chat command to its reply (inside the transaction), "
            "by command key.",
            ["command"],
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=registry,
        ),
        outbox_sent=Counter(
            "teamassist_outbox_sent",
            "Notices a platform accepted, by platform.",
            ["platform"],
            registry=registry,
        ),
        platform_errors=Counter(
            "teamassist_platform_errors",
            "Failed platform sends, by platform and error code.",
            ["platform", "code"],
            registry=registry,
        ),
        job_lateness=Histogram(
            "teamassist_job_lateness_seconds",
            "Claim time minus due time of each job occurrence a tick claimed, by job key.",
            ["job"],
            buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200),
            registry=registry,
        ),
    )


# ``labels()`` takes a lock and builds a tuple each call; the chat hot path reuses the child.
_children: dict[tuple[object, ...], Counter | Histogram] = {}
_children_lock = threading.Lock()
M = TypeVar("M", "Counter", "Histogram")


def _child(metric: M, *values: str) -> M:
    key = (id(metric), *values)
    child = _children.get(key)
    if child is None:
        with _children_lock:
            child = _children[key] = metric.labels(*values)
    return cast(M, child)


def event(platform: str, outcome: str) -> None:
    """Count one inbound event (``outcome``: handled, refused, failed, duplicate)."""
    _child(_metrics().events, platform, outcome).inc()


def command(key: str, seconds: float) -> None:
    """Time one command by its registry key."""
    _child(_metrics().command_seconds, key).observe(seconds)


def sent(platform: str) -> None:
    """Count one notice a platform accepted."""
    _child(_metrics().outbox_sent, platform).inc()


def platform_error(platform: str, code: str) -> None:
    """Count one failed send (``code``: see the module docstring)."""
    _child(_metrics().platform_errors, platform, code[:40]).inc()


def job_lateness(job: str, seconds: list[float]) -> None:
    """Record how late each claimed occurrence of ``job`` ran (negative values count as 0)."""
    child = _child(_metrics().job_lateness, job)
    for value in seconds:
        child.observe(max(0.0, value))


def multiprocess() -> bool:
    """Whether counts go to ``PROMETHEUS_MULTIPROC_DIR`` files shared by several processes."""
    return bool(os.environ.get(MULTIPROC_ENV))


def registry() -> CollectorRegistry:
    """A fresh registry reporting this process's counts, or every process's in multiprocess
    mode; the caller may register more collectors into it (the endpoint's outbox gauges)."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    found = CollectorRegistry(auto_describe=False)
    if multiprocess():
        MultiProcessCollector(found)  # type: ignore[no-untyped-call]
    else:
        found.register(cast("Collector", _Ours()))
    return found


class _Ours:
    """This process's metrics as a collector (prometheus-client only calls ``collect``)."""

    def collect(self) -> Iterator[Metric]:
        return iter(_metrics().registry.collect())


def serve_http(port: int, host: str = "127.0.0.1") -> None:
    """Expose the metrics on ``http://host:port/`` from a daemon thread, for a process that
    serves no HTTP of its own (``teamassist worker --metrics-port``). With
    ``PROMETHEUS_MULTIPROC_DIR`` set it reports every process writing there (Celery's prefork
    children, where the work runs); without, only this process. No token: bind it to loopback
    or a network only the scraper reaches."""
    from prometheus_client import start_http_server

    start_http_server(port, addr=host, registry=registry())
