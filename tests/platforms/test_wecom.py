"""WeCom group robots against a fake webhook: markdown, mentions, splitting, the 20/min limit,
error codes and outages, all through the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from teamassist.adapters.wecom.render import split
from teamassist.chat.types import Person, Reply
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.outbox import service as outbox_service
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.runtime import Runtime
from tests.conftest import make_runtime
from tests.platforms.fakes.wecom import FakeWeCom

KEYS = {"duty": "KEY-duty", "ops": "KEY-ops"}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeWeCom]:
    server = FakeWeCom(set(KEYS.values())).start()
    yield server
    server.stop()


@dataclass
class Env:
    runtime: Runtime
    fake: FakeWeCom
    clock: FrozenClock
    _n: int = 0

    def notify(self, reply: Reply, robot: str = "duty") -> None:
        self._n += 1
        with transaction(self.runtime.factory) as session:
            outbox_service.enqueue(
                session,
                key=f"n:{self._n}",
                platform="wecom",
                address=robot,
                reply=reply,
                now=self.clock(),
            )

    def outbox(self) -> list[OutboxMessage]:
        with self.runtime.factory() as session:
            return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))

    def later(self, seconds: float) -> None:
        self.clock.set(self.clock() + timedelta(seconds=seconds))


@pytest.fixture
def env(fake: FakeWeCom, sqlite_url: str, clock: FrozenClock) -> Iterator[Env]:
    fake.reset()
    robots = {**KEYS, "removed": "KEY-unknown-to-wecom"}
    runtime = make_runtime(
        sqlite_url, clock, wecom={"enabled": True, "api_base": fake.url, "robots": robots}
    )
    yield Env(runtime, fake, clock)
    runtime.close()


def test_notice_is_posted_as_markdown_with_native_mentions(env: Env) -> None:
    reply = Reply(title="新的问题反馈", body="")
    reply.body = (
        f"{reply.mention(7, Person(name='张三', identities={'wecom': 'zhangsan'}))} "
        f"和 {reply.mention(8, Person(name='李四'))} 请处理"
    )
    env.notify(reply)
    assert env.runtime.deliver().sent == 1
    [message] = env.fake.received
    assert message.key == "KEY-duty" and message.body["msgtype"] == "markdown"
    assert message.markdown == "**新的问题反馈**\n\n<@zhangsan> 和 @李四 请处理"


def test_long_notice_is_split_in_order_within_4096_bytes(env: Env) -> None:
    lines = [f"第 {i} 行：" + "值班记录" * 40 for i in range(60)]
    env.notify(Reply(body="\n".join(lines)))
    assert env.runtime.deliver().sent == 1
    parts = [m.markdown for m in env.fake.received]
    assert len(parts) > 1
    assert all(len(p.encode()) <= 4096 for p in parts)
    assert "\n".join(parts) == "\n".join(lines)


def test_split_cuts_an_overlong_line_between_characters() -> None:
    parts = split("好" * 3000, 4096)
    assert [len(p.encode()) for p in parts] == [4095, 4095, 810]  # 3 bytes a character
    assert "".join(parts) == "好" * 3000


def test_twenty_a_minute_per_robot_then_the_rest_waits_in_the_outbox(env: Env) -> None:
    for _ in range(25):
        env.notify(Reply(body="提醒"), robot="duty")
    env.notify(Reply(body="另一个机器人"), robot="ops")
    stats = env.runtime.deliver()
    assert stats.sent == 21 and stats.retried == 5
    waiting = [r for r in env.outbox() if r.status == OutboxStatus.PENDING]
    assert len(waiting) == 5
    assert all(
        env.clock() < r.next_attempt_at <= env.clock() + timedelta(seconds=60) for r in waiting
    )
    assert env.runtime.deliver().sent == 0  # nothing is due yet
    env.later(60)
    assert env.runtime.deliver().sent == 5
    assert [m.key for m in env.fake.received].count("KEY-duty") == 25


def test_rate_limited_by_wecom_is_retried_after_a_minute(env: Env) -> None:
    env.notify(Reply(body="提醒"))
    env.fake.fail_next(45009, "api freq out of limit")
    assert env.runtime.deliver().retried == 1
    [row] = env.outbox()
    assert row.next_attempt_at == env.clock() + timedelta(seconds=60)
    env.later(60)
    assert env.runtime.deliver().sent == 1
    assert len(env.fake.received) == 1


def test_invalid_key_gives_up(env: Env) -> None:
    env.notify(Reply(body="提醒"), robot="removed")
    stats = env.runtime.deliver()
    assert stats.dead == 1 and "93000" in stats.errors[0]


def test_unknown_robot_name_gives_up(env: Env) -> None:
    env.notify(Reply(body="提醒"), robot="nobody")
    assert env.runtime.deliver().dead == 1


def test_outage_keeps_the_notice_and_delivers_once_when_back(env: Env) -> None:
    env.notify(Reply(body="提醒"))
    env.fake.down = True
    assert env.runtime.deliver().retried == 1
    assert env.outbox()[0].status == OutboxStatus.PENDING
    env.fake.down = False
    env.later(3600)
    assert env.runtime.deliver().sent == 1
    env.later(3600)
    assert env.runtime.deliver().sent == 0
    assert len(env.fake.received) == 1


def test_failure_in_the_middle_of_a_split_notice_resends_only_the_rest(env: Env) -> None:
    env.notify(Reply(body="\n".join(f"第{i}部分" * 300 for i in range(3))))
    # the first part goes through, WeCom is busy for the second
    original = env.runtime.senders["wecom"].client.send_markdown  # type: ignore[attr-defined]
    calls: list[int] = []

    def flaky(key: str, content: str) -> None:
        calls.append(1)
        if len(calls) == 2:
            env.fake.fail_next(-1, "system busy")
        original(key, content)

    env.runtime.senders["wecom"].client.send_markdown = flaky  # type: ignore[attr-defined]
    assert env.runtime.deliver().retried == 1
    assert len(env.fake.received) == 1
    env.later(60)
    assert env.runtime.deliver().sent == 1
    assert [m.markdown[:3] for m in env.fake.received] == ["第0部", "第1部", "第2部"]
