"""The global API token acts on action items as the person who set the install up (its
voice), and only in a team that person is one of (tester s24 F2: a root-token item in 第二团队
named 王管理, who is not there, as its requester; he was then asked to confirm it and closed
it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from teamassist.actions import service as actions
from teamassist.actions.models import ActionItem
from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Team
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


def test_an_item_the_root_tokens_list_shows_is_found_without_team_id(
    runtime: Runtime, client: TestClient
) -> None:
    """Tester s25 F-10: ``?team_id=3`` listed #12, ``GET /api/v1/actions/12`` said there was
    no #12 (and pointed at the list), and so did every write. Without ``team_id`` an item
    route acts in the item's own team when the caller is one of its people."""
    with transaction(runtime.factory) as session:
        team = session.get(Team, 2)
        assert team is not None
        people = {m.handle: m for m in team_service.get_members(session, workspace_id=1)}
        item = actions.create(
            session,
            team=team,
            requester=people["boss2"],
            owner=people["m2"],
            title="二队的销项",
            due_at=runtime.clock() + timedelta(days=3),
            now=runtime.clock(),
        )
        item_id = item.id
    listed = client.get("/api/v1/actions?team_id=2", headers=ROOT).json()["items"]
    assert item_id in [i["id"] for i in listed]
    read = client.get(f"/api/v1/actions/{item_id}", headers=ROOT)
    assert read.status_code == 200, read.text
    assert read.json()["title"] == "二队的销项"
    extend = client.post(
        f"/api/v1/actions/{item_id}/extend",
        json={"due": "2026-12-20", "reason": "等资料"},
        headers=ROOT,
    )
    assert extend.status_code == 403, extend.text
    assert extend.json()["error"] == "actions.error.voice_not_in_team"
    # a team named still decides: the default team has no such item
    assert client.get(f"/api/v1/actions/{item_id}?team_id=1", headers=ROOT).status_code == 404
