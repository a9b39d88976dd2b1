"""Issue 16: ``/metrics`` in Prometheus's format, counted at the dispatcher, the outbox sender
and the scheduler's claim, with the outbox gauges read at scrape time; bearer token or loopback.

The counters belong to the process and only grow, so each test compares a scrape after the
action with one before it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.database import StatementCounter, transaction
from teamassist.enums import Platform
from teamassist.outbox import service as outbox_service
from teamassist.outbox.senders import DeliveryError, OutgoingMessage
from teamassist.runtime import Runtime
from teamassist.scheduler.registry import JobContext, JobGroup
from teamassist.scheduler.runner import Scheduler
from teamassist.web.app import create_app
from teamassist.web.metrics_endpoint import OutboxGauges
from tests.support.chat import ChatDriver, RecordingSender

LOOPBACK = ("127.0.0.1", 50000)

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def app(demo_runtime: Runtime) -> FastAPI:
    app = create_app(demo_runtime, start_background=False)
    app.state.outbox_gauges = OutboxGauges(demo_runtime, ttl=0)  # every scrape reads afresh
    return app


@pytest.fixture
def scraper(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, client=LOOPBACK) as c:
        yield c


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_command_counts_an_event_and_times_the_command(
    scraper: TestClient, demo_runtime: Runtime
) -> None:
    before = scrape(scraper)
    # when a member asks for the help on QQ, then sends the same event again
    chat = ChatDriver(demo_runtime)
    chat.say("/帮助", as_="zhangsan", platform=Platform.QQ, event_id="ev-1")
    chat.say("/帮助", as_="zhangsan", platform=Platform.QQ, event_id="ev-1")
    after = scrape(scraper)
    # then one event was handled and one was a duplicate, and the help command was timed once
    events = "teamassist_events_handled_total"
    assert (
        value(after, events, platform="qq", outcome="handled")
        - value(before, events, platform="qq", outcome="handled")
        == 1
    )
    assert (
        value(after, events, platform="qq", outcome="duplicate")
        - value(before, events, platform="qq", outcome="duplicate")
        == 1
    )
    count = "teamassist_command_seconds_count"
    assert value(after, count, command="core.help") - value(before, count, command="core.help") == 1
    took = value(after, "teamassist_command_seconds_sum", command="core.help") - value(
        before, "teamassist_command_seconds_sum", command="core.help"
    )
    assert 0 < took < 5
    # and no free text became a label
    assert not any("帮助" in str(labels) for _, labels in after)


def test_a_web_chat_refusal_is_counted_as_refused(
    scraper: TestClient, demo_runtime: Runtime
) -> None:
    before = scrape(scraper)
    ChatDriver(demo_runtime).say("/没有这个指令", as_="zhangsan")
    after = scrape(scraper)
    events = "teamassist_events_handled_total"
    # an unknown word is answered (a catalogue reply), not a failure
    assert (
        value(after, events, platform="web", outcome="handled")
        - value(before, events, platform="web", outcome="handled")
        == 1
    )
    assert value(after, events, platform="web", outcome="failed") == value(
        before, events, platform="web", outcome="failed"
    )


def _queue(runtime: Runtime, key: str, platform: str = "qq") -> None:
    with transaction(runtime.factory) as session:
        outbox_service.enqueue(
            session,
            key=key,
            platform=platform,
            address="group-1",
            reply=Reply(body=f"notice {key}"),
            now=runtime.clock(),
        )


def test_outbox_depth_and_age_then_a_send(
    scraper: TestClient, demo_runtime: Runtime, clock: FrozenClock
) -> None:
    # given two notices queued now, and 90 s passed undelivered
    base = scrape(scraper)
    pending_before = value(base, "teamassist_outbox_depth", status="pending")
    _queue(demo_runtime, "m-1")
    _queue(demo_runtime, "m-2")
    clock.set(clock() + timedelta(seconds=90))
    waiting = scrape(scraper)
    assert value(waiting, "teamassist_outbox_depth", status="pending") == pending_before + 2
    assert value(waiting, "teamassist_outbox_depth", status="sending") == 0
    assert value(waiting, "teamassist_outbox_oldest_pending_seconds") >= 90
    # when the delivery pass sends them
    demo_runtime.deliver()
    after = scrape(scraper)
    # then both count as sent to QQ and nothing is waiting
    sent = "teamassist_outbox_sent_total"
    assert value(after, sent, platform="qq") - value(waiting, sent, platform="qq") == 2
    assert value(after, "teamassist_outbox_depth", status="pending") == 0
    assert value(after, "teamassist_outbox_oldest_pending_seconds") == 0


class _CodedFailure:
    platform = "feishu"

    def send(self, message: OutgoingMessage) -> str | None:
        raise DeliveryError("feishu send: code 230002 bot not in chat", code=230002)


def test_platform_errors_by_platform_and_code(scraper: TestClient, demo_runtime: Runtime) -> None:
    before = scrape(scraper)
    # given QQ is down (no code given) and Feishu refuses with its own code
    qq = demo_runtime.senders["qq"]
    assert isinstance(qq, RecordingSender)
    qq.failing = True
    demo_runtime.senders["feishu"] = _CodedFailure()
    _queue(demo_runtime, "e-1", "qq")
    _queue(demo_runtime, "e-2", "feishu")
    # when a delivery pass tries them
    demo_runtime.deliver()
    after = scrape(scraper)
    errors = "teamassist_platform_errors_total"
    assert (
        value(after, errors, platform="qq", code="transient")
        - value(before, errors, platform="qq", code="transient")
        == 1
    )
    assert (
        value(after, errors, platform="feishu", code="230002")
        - value(before, errors, platform="feishu", code="230002")
        == 1
    )
    assert value(after, "teamassist_outbox_depth", status="pending") >= 2


lateness_group = JobGroup("metrics_test")
ran: list[int] = []


@lateness_group.daily("metrics_test.morning", default_times=["09:05"])
def morning(job: JobContext) -> None:
    ran.append(job.team.id)


def test_job_lateness_is_claim_time_minus_due_time(
    scraper: TestClient, demo_runtime: Runtime, clock: FrozenClock
) -> None:
    # given a daily job due at 09:05 Shanghai (01:05 UTC), planned at 01:00
    ran.clear()
    scheduler = Scheduler(demo_runtime.factory, [lateness_group], clock=clock)
    scheduler.tick()
    assert ran == []
    before = scrape(scraper)
    # when the next tick comes 150 s after it was due
    clock.set(clock() + timedelta(minutes=7, seconds=30))
    report = scheduler.tick()
    after = scrape(scraper)
    # then each team's run was 150 s late
    teams = len(report.ran)
    assert teams >= 1 and len(ran) == teams
    job = {"job": "metrics_test.morning"}
    count = "teamassist_job_lateness_seconds_count"
    total = "teamassist_job_lateness_seconds_sum"
    assert value(after, count, **job) - value(before, count, **job) == teams
    assert value(after, total, **job) - value(before, total, **job) == pytest.approx(150 * teams)
    le_60 = "teamassist_job_lateness_seconds_bucket"
    assert value(after, le_60, le="120.0", **job) == value(before, le_60, le="120.0", **job)
    assert value(after, le_60, le="300.0", **job) - value(before, le_60, le="300.0", **job) == teams


def test_the_outbox_gauges_cost_one_query_per_cache_period(demo_runtime: Runtime) -> None:
    gauges = OutboxGauges(demo_runtime, ttl=60)
    with StatementCounter(demo_runtime.engine) as counter:
        list(gauges.collect())
        list(gauges.collect())
    assert [s for s in counter.statements if s == "SELECT"] == ["SELECT"]


def test_metrics_need_the_token_or_loopback(demo_runtime: Runtime) -> None:
    # without a token configured: loopback only
    app = create_app(demo_runtime, start_background=False)
    with TestClient(app) as remote:
        assert remote.get("/metrics").status_code == 403
    with TestClient(app, client=LOOPBACK) as local:
        assert local.get("/metrics").status_code == 200
    # with a token: only its bearer, wherever from
    settings = demo_runtime.settings.model_copy(deep=True)
    settings.web.metrics_token = SecretStr("s3cret-scrape")
    app.state.runtime = dataclasses.replace(demo_runtime, settings=settings)
    with TestClient(app, client=LOOPBACK) as local:
        assert local.get("/metrics").status_code == 403
        wrong = local.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403
    with TestClient(app) as remote:
        ok = remote.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
        assert ok.status_code == 200
        assert "teamassist_outbox_depth" in ok.text


def test_a_worker_serves_its_counters_on_its_own_port() -> None:
    import socket
    import urllib.request

    from teamassist import metrics

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    metrics.serve_http(port)
    metrics.sent("exporter-test")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    assert value(samples, "teamassist_outbox_sent_total", platform="exporter-test") == 1
