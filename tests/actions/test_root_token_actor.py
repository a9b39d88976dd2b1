"""The global API token acts on action items as the person who set the install up (its
voice), and only in a team that person is one of (tester s24 F2: a root-token item in 第二团队
named 王管理, who is not there, as its requester; he was then asked to confirm it and closed
it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from teamassist.actions.models import ActionItem
from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.team.support import second_team

ROOT = {"authorization": "Bearer root-token-s24"}


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    load_demo(runtime)
    runtime.settings.web.api_token = SecretStr("root-token-s24")
    with transaction(runtime.factory) as session:
        second_team(session)
    with TestClient(create_app(runtime, start_background=False)) as made:
        yield made


def _items(runtime: Runtime) -> int:
    with runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(ActionItem)) or 0


def test_the_root_token_acts_only_where_its_voice_is(runtime: Runtime, client: TestClient) -> None:
    before = _items(runtime)
    body = {"owner": "m2", "title": "root给二队布置", "due": "2026-12-10"}
    refused = client.post("/api/v1/actions?team_id=2", json=body, headers=ROOT)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"] == "actions.error.voice_not_in_team"
    assert "王管理" in refused.json()["message"] and "第二团队" in refused.json()["message"]
    assert _items(runtime) == before
    # in the voice's own team the token still requests, as that person
    made = client.post(
        "/api/v1/actions?team_id=1",
        json={"owner": "lisi", "title": "root给李四布置", "due": "2026-12-10"},
        headers=ROOT,
    )
    assert made.status_code == 201, made.text
    assert made.json()["requester"] == "王管理"
    assert _items(runtime) == before + 1
