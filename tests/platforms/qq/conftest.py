"""QQ tests' harness: a runtime with QQ enabled against the fake, and the app to post to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2  # what the TestClient speaks (starlette prefers httpx2 when installed)
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.chat.models import InboundEvent
from teamassist.clock import FrozenClock
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import bind_tenant, load_demo, make_runtime
from tests.platforms.fakes import qq as fakeqq


def qq_settings(fake: fakeqq.FakeQQ, **extra: Any) -> dict[str, Any]:
    """QQ settings pointing at the fake."""
    return {
        "enabled": True,
        "app_id": fake.app_id,
        "secret": fake.secret,
        "api_base": fake.url + "/",
        "auth_base": fake.url + "/app/getAppAccessToken",
        **extra,
    }


@dataclass
class QQHarness:
    """Post signed callbacks, deliver the outbox, look at what the fake received."""

    runtime: Runtime
    fake: fakeqq.FakeQQ
    client: TestClient
    clock: FrozenClock

    def now_ts(self) -> int:
        return int(self.clock().timestamp())

    def post(
        self,
        body: bytes,
        *,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
        sign: bool = True,
    ) -> httpx2.Response:
        """POST a callback as QQ would (signed with the bot's key unless ``sign=False``)."""
        ts = self.now_ts() if timestamp is None else timestamp
        sent = (
            self.fake.signed_headers(body, ts)
            if sign
            else {"Content-Type": "application/json", "X-Bot-Appid": self.fake.app_id}
        )
        sent.update(headers or {})
        return self.client.post("/qq/webhook", content=body, headers=sent)

    def deliver(self) -> Any:
        return self.runtime.deliver()

    def inbound_count(self) -> int:
        with self.runtime.factory() as session:
            return int(session.scalar(select(func.count()).select_from(InboundEvent)) or 0)

    def outbox(self) -> list[OutboxMessage]:
        with self.runtime.factory() as session:
            return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def fake_qq() -> Iterator[fakeqq.FakeQQ]:
    """A running fake QQ open platform."""
    fake = fakeqq.start()
    yield fake
    assert fake.server is not None
    fake.server.stop()


def make_harness(url: str, clock: FrozenClock, fake: fakeqq.FakeQQ, **qq_extra: Any) -> QQHarness:
    """A demo runtime with QQ enabled against ``fake``."""
    runtime = make_runtime(url, clock, qq=qq_settings(fake, **qq_extra))
    load_demo(runtime)
    # The fake's guild, group and the bot's private chats belong to the demo workspace.
    bind_tenant(runtime, "qq", "g-1", kind="guild")
    bind_tenant(runtime, "qq", "G-OPENID-1", kind="group")
    bind_tenant(runtime, "qq", fake.app_id, kind="c2c")
    client = TestClient(create_app(runtime, start_background=False))
    return QQHarness(runtime=runtime, fake=fake, client=client, clock=clock)


@pytest.fixture
def qq(sqlite_url: str, clock: FrozenClock, fake_qq: fakeqq.FakeQQ) -> Iterator[QQHarness]:
    """Given the demo workspace with QQ enabled against the fake."""
    harness = make_harness(sqlite_url, clock, fake_qq)
    yield harness
    harness.runtime.close()
