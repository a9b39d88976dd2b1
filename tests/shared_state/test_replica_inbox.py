"""One QQ event delivered to two web replicas on one PostgreSQL at the same moment is handled
once: the inbox's unique keys decide, not the process (issue 16, shared state item 5)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.chat.models import InboundEvent
from teamassist.clock import FrozenClock
from teamassist.web.app import create_app
from tests.conftest import bind_tenant, load_demo, make_runtime, migrated
from tests.platforms.fakes import qq as fakeqq
from tests.platforms.qq.conftest import qq_settings
from tests.shared_state.test_state import run_together


@pytest.fixture
def fake_qq() -> Iterator[fakeqq.FakeQQ]:
    fake = fakeqq.start()
    yield fake
    assert fake.server is not None
    fake.server.stop()


# FastAPI silences a pydantic warning with warnings.catch_warnings(), which is not thread-safe:
# two apps answering their first requests in parallel threads of one process (as here, never
# in two real processes) can see the suite's "error" filter instead.
@pytest.mark.filterwarnings("ignore::pydantic.warnings.UnsupportedFieldAttributeWarning")
def test_the_same_event_at_two_replicas_at_once_is_handled_once(
    clock: FrozenClock, fake_qq: fakeqq.FakeQQ
) -> None:
    # Given two replicas of a QQ install on one PostgreSQL
    url = migrated("postgresql").fresh_url()
    first = make_runtime(url, clock, qq=qq_settings(fake_qq))
    second = make_runtime(url, clock, qq=qq_settings(fake_qq))
    load_demo(first)
    bind_tenant(first, "qq", "G-OPENID-1", kind="group")
    body = fakeqq.group_at_message(event_id="GROUP_AT:same", message_id="gm-1", text="/帮助")
    headers = fake_qq.signed_headers(body, int(clock().timestamp()))
    apps = [create_app(rt, start_background=False) for rt in (first, second)]
    try:
        with TestClient(apps[0]) as a, TestClient(apps[1]) as b:
            # When QQ delivers the same event to both at the same moment, four times over
            def post(i: int) -> Any:
                return (a, b)[i % 2].post("/qq/webhook", content=body, headers=headers)

            answers = run_together(4, post)
        # Then every delivery is acknowledged, the inbox has it once, one answer goes out
        assert [r.status_code for r in answers] == [200] * 4  # type: ignore[attr-defined]
        with first.factory() as session:
            assert session.scalar(select(func.count()).select_from(InboundEvent)) == 1
        first.deliver()
        second.deliver()
        assert len(fake_qq.messages("/v2/groups/G-OPENID-1/messages")) == 1
    finally:
        first.close()
        second.close()
