"""The global API token is no person: its REST announcement names its author (tester s23 F4).

The root token's notice to 第二团队's group went out in the name of that team's first admin
(二号老板), who never wrote it, was told nothing, and became the requester of every action item
it opened. Now the token names the author with ``"as"`` (422 without, nothing sent); the named
person must be allowed to announce to the group as if they sent it; a member's own token
announces as its owner and may not name another."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from teamassist.actions.models import ActionItem
from teamassist.announcements.models import Announcement
from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import give_account, sign_in
from tests.team.support import second_team

ROOT = {"authorization": "Bearer root-token-s23"}


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    """The demo and 第二团队 (admin 二号老板, boss2) with its group 二队群; the root token set."""
    load_demo(runtime)
    runtime.settings.web.api_token = SecretStr("root-token-s23")
    with transaction(runtime.factory) as session:
        team = second_team(session)
        session.flush()
        team_service.create_channel(
            session,
            workspace=team.workspace,
            team=team,
            platform="web",
            address="web:t2",
            name="二队群",
            purpose="team",
        )
    with TestClient(create_app(runtime, start_background=False)) as made:
        yield made


def _counts(runtime: Runtime) -> tuple[int, int]:
    with runtime.factory() as session:
        return (
            session.scalar(select(func.count()).select_from(Announcement)) or 0,
            session.scalar(select(func.count()).select_from(ActionItem)) or 0,
        )


def _author(runtime: Runtime, announcement_id: int) -> str:
    with runtime.factory() as session:
        row = session.get(Announcement, announcement_id)
        assert row is not None and row.author_id is not None
        member = team_service.members_by_id(session, [row.author_id])[row.author_id]
        return member.handle


BODY = {"group": "二队群", "text": "周五下午停机维护 @二队成员", "due_at": "2026-06-10"}


def test_the_root_token_must_name_its_author(runtime: Runtime, client: TestClient) -> None:
    before = _counts(runtime)
    refused = client.post("/api/v1/announcements", headers=ROOT, json=BODY)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "announcements.error.as_needed"
    assert "as" in refused.json()["message"] and "二队群" in refused.json()["message"]
    assert _counts(runtime) == before  # nothing sent, no action item opened

    sent = client.post("/api/v1/announcements", headers=ROOT, json={**BODY, "as": "boss2"})
    assert sent.status_code == 201, sent.text
    assert _author(runtime, sent.json()["id"]) == "boss2"


def test_the_named_author_needs_the_right_to_announce(runtime: Runtime, client: TestClient) -> None:
    before = _counts(runtime)
    # 王管理 (admin of 开发者社区 only) may not announce to 第二团队's group, nor may its member
    for handle in ("admin", "m2"):
        refused = client.post("/api/v1/announcements", headers=ROOT, json={**BODY, "as": handle})
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"] == "announcements.error.forbidden"
    unknown = client.post("/api/v1/announcements", headers=ROOT, json={**BODY, "as": "nobody"})
    assert unknown.status_code == 404, unknown.text
    assert _counts(runtime) == before


def test_a_members_token_announces_as_its_owner_only(runtime: Runtime, client: TestClient) -> None:
    sign_in(client, "boss2", give_account(runtime, "boss2"))
    before = _counts(runtime)
    other = client.post("/api/v1/announcements", json={**BODY, "as": "admin"})
    assert other.status_code == 422, other.text
    assert other.json()["error"] == "announcements.error.as_only_owner"
    assert _counts(runtime) == before
    own = client.post("/api/v1/announcements", json={**BODY, "as": "BOSS2"})
    assert own.status_code == 201, own.text
    assert _author(runtime, own.json()["id"]) == "boss2"
