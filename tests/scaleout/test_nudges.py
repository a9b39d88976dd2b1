"""Delivery nudges after a commit go only to the lanes the commit queued notices for (issue 16,
a tester's find: every commit nudged every lane, five broker messages where one was needed), and
stay coalesced (one waiting per lane, the ``SET NX`` marker).

Counted on the real Redis (``TEAMASSIST_TEST_REDIS_URL``) as broker and shared state, in a
database of this file's own (flushed before and after, nothing else)."""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
from amqp.exceptions import ChannelError
from celery import Celery
from fastapi.testclient import TestClient

from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.outbox import service as outbox_service
from teamassist.outbox.signals import queued_platforms
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from teamassist.workers import celery_app
from tests.conftest import load_demo, make_runtime
from tests.support.chat import ChatDriver
from tests.support.web import sign_in

# Other tests use 5 (processes), 6 (shared state), 9 (benchmark): this file has 12 to itself.
REDIS_DB = 12


@pytest.fixture
def redis_url() -> Iterator[str]:
    url = os.environ.get("TEAMASSIST_TEST_REDIS_URL")
    if not url:
        if os.environ.get("TEAMASSIST_TEST_ALL_BACKENDS") == "1" or os.environ.get("CI") == "true":
            pytest.fail("TEAMASSIST_TEST_REDIS_URL is not set")
        pytest.skip("TEAMASSIST_TEST_REDIS_URL is not set")
    own = urlsplit(url)._replace(path=f"/{REDIS_DB}").geturl()
    client = redis.Redis.from_url(own)
    client.flushdb()
    yield own
    client.flushdb()
    client.close()


@pytest.fixture
def replica(
    sqlite_url: str, clock: FrozenClock, redis_url: str
) -> Iterator[tuple[Runtime, Celery]]:
    """A scaled-out web replica on the real Redis, nudging after its commits as ``serve`` does
    (lanes: feishu, qq, web, wecom and "" for platforms not enabled here)."""
    runtime = make_runtime(
        sqlite_url,
        clock,
        scale_out={"redis_url": redis_url, "redis_prefix": f"t{uuid.uuid4().hex[:8]}:"},
    )
    load_demo(runtime)
    app = celery_app.make_celery(runtime.settings)
    runtime.kicker.worker = celery_app.Nudger(app, runtime)
    yield runtime, app
    runtime.kicker.worker = None
    runtime.close()
    app.close()


def _nudges(app: Celery) -> Counter[str]:
    """The delivery nudges waiting on the broker, by lane, taken off it."""
    lanes: Counter[str] = Counter()
    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue(celery_app.QUEUE)
        try:
            while _size(queue):
                message = queue.get(timeout=2)
                assert message.headers["task"] == celery_app.DELIVER
                lanes[message.decode()[0][0]] += 1
                message.ack()
        finally:
            queue.close()
    return lanes


def _size(queue: Any) -> int:
    try:
        return int(queue.qsize())
    except ChannelError:  # nothing was ever published: the queue is not declared yet
        return 0


def _drop_pending(runtime: Runtime) -> None:
    """As a delivery task does when it starts: the lane's next commit may nudge again."""
    for lane in runtime.delivery_lanes():
        runtime.shared.delete(f"deliver-pending:{lane}")


def _lanes_queued(runtime: Runtime, after: int = 0) -> Counter[str]:
    """The lanes of the notices in the outbox with ids above ``after`` (one count each)."""
    rows = [row for row in ChatDriver(runtime).queued() if row.id > after]
    return Counter(runtime.lanes_of({row.platform for row in rows}))


def _last_id(runtime: Runtime) -> int:
    return max((row.id for row in ChatDriver(runtime).queued()), default=0)


def test_a_commit_nudges_only_the_lanes_it_queued_for(replica: tuple[Runtime, Celery]) -> None:
    runtime, app = replica
    assert len(runtime.delivery_lanes()) == 5
    # When a member reports a problem in web chat (the receipt and the team's notice queued)
    ChatDriver(runtime).text("/问题反馈 登录页打不开", as_="zhangsan")
    # Then one nudge is published per lane that notice went to, none for the others (before:
    # one for each of the 5 lanes on every commit)
    queued = _lanes_queued(runtime)
    assert queued and len(queued) < 5
    assert _nudges(app) == queued

    # When two more commits queue notices while those nudges still wait: coalesced, none more
    ChatDriver(runtime).text("/问题反馈 导出很慢", as_="zhangsan")
    ChatDriver(runtime).text("/问题反馈 图标错位", as_="zhangsan")
    assert _nudges(app) == Counter()

    # When delivery tasks took them, a commit queuing for QQ twice and for a platform not
    # enabled here nudges the QQ lane and the lane of the others, once each
    _drop_pending(runtime)
    with transaction(runtime.factory) as session:
        for platform, address in (("qq", "group:1"), ("qq", "group:2"), ("dingtalk", "x")):
            outbox_service.enqueue(
                session,
                key=f"nudge-test:{platform}:{address}",
                platform=platform,
                address=address,
                reply=Reply(body="测试通知"),
                now=runtime.clock(),
            )
        platforms = queued_platforms(session)
    assert platforms == {"qq", "dingtalk"}
    runtime.kick(platforms)
    assert _nudges(app) == Counter({"qq": 1, "": 1})


def test_a_scheduled_batch_nudges_the_lanes_of_its_notices(
    replica: tuple[Runtime, Celery], clock: FrozenClock
) -> None:
    runtime, app = replica
    runtime.scheduler.tick()  # plans from Monday 09:00
    _nudges(app)
    _drop_pending(runtime)
    last = _last_id(runtime)
    # When Tuesday's morning jobs run for the demo team (their notices go to its channels)
    clock.set(clock() + timedelta(hours=25, minutes=30))  # Tuesday 10:30 in Shanghai
    runtime.scheduler.tick()
    # Then the batches' commits nudged exactly the lanes of what they queued
    queued = _lanes_queued(runtime, after=last)
    assert queued and len(queued) < 5
    assert _nudges(app) == queued


def test_a_request_that_queues_nothing_nudges_nothing(replica: tuple[Runtime, Celery]) -> None:
    runtime, app = replica
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client)  # writes a session row, queues no notice
        assert client.get("/").status_code == 200
    assert _nudges(app) == Counter()
