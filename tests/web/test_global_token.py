"""Issue 11, found by a fresh tester: the global API token (``web.api_token``) is the install's
root credential. It always acts as the workspace owner, whatever becomes of the first local
account's member (demoted to member, deactivated)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.runtime import Runtime
from teamassist.team import people
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.team.support import demo

TOKEN = {"authorization": "Bearer root-token-123"}
NOW = datetime(2026, 6, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize("fate", ["demoted", "deactivated", "unchanged"])
def test_the_global_token_is_the_owner_whatever_the_first_account_becomes(
    sqlite_runtime: Runtime, fate: str
) -> None:
    rt = sqlite_runtime
    load_demo(rt)
    rt.settings.web.api_token = SecretStr("root-token-123")
    with transaction(rt.factory) as session:
        d = demo(session)
        team_id = d.team.id
        # Another admin first, so the first account's member (admin) may lose the role.
        people.change_role(session, team=d.team, member=d["lihua"], role=Role.ADMIN)
        if fate == "demoted":
            people.change_role(session, team=d.team, member=d["admin"], role=Role.MEMBER)
        if fate == "deactivated":
            people.deactivate(session, member=d["admin"], now=NOW)
    with TestClient(create_app(rt, start_background=False)) as client:
        me = client.get("/api/v1/me", headers=TOKEN).json()
        assert (me["workspace_key"], me["member_id"], me["owner"]) == ("demo", None, True)
        added = client.post(
            f"/api/v1/teams/{team_id}/members",
            headers=TOKEN,
            json={"handle": "rooted", "display_name": "新人"},
        )
        assert added.status_code == 201, added.text
        settings = client.patch(
            f"/api/v1/teams/{team_id}/settings", headers=TOKEN, json={"timezone": "Asia/Tokyo"}
        )
        assert settings.status_code == 200, settings.text
        assert settings.json()["timezone"] == "Asia/Tokyo"


def test_the_global_token_chats_as_the_first_account_or_names_someone(
    sqlite_runtime: Runtime,
) -> None:
    rt = sqlite_runtime
    load_demo(rt)
    rt.settings.web.api_token = SecretStr("root-token-123")
    with TestClient(create_app(rt, start_background=False)) as client:
        mine = client.post("/api/v1/chat", headers=TOKEN, json={"text": "/我是谁"})
        assert mine.status_code == 200 and "admin" in mine.text, mine.text
        other = client.post(
            "/api/v1/chat", headers=TOKEN, json={"text": "/我是谁", "as": "zhangsan"}
        )
        assert other.status_code == 200 and "zhangsan" in other.text, other.text
