"""Fixtures of the workspace tests: the fake Feishu Open API and a demo team on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.clock import FrozenClock
from teamassist.web.app import create_app
from tests.platforms.fakes.feishu import FakeFeishu
from tests.support.chat import ChatDriver
from tests.workspace.feishu_team import FeishuTeam, feishu_runtime


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeFeishu]:
    server = FakeFeishu().start()
    yield server
    server.stop()


@pytest.fixture
def team(fake: FakeFeishu, db_url: str, clock: FrozenClock) -> Iterator[FeishuTeam]:
    fake.reset()
    runtime = feishu_runtime(fake, db_url, clock, tenant="feishu")
    with TestClient(create_app(runtime, start_background=False)) as http:
        yield FeishuTeam(runtime, ChatDriver(runtime), http, fake)
    runtime.close()
