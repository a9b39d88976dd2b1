"""An admin of another team refused an admin's route is told whose admin it takes (tester s25
F-1): 第二团队's admin asking for the workspace's bindings (the default team's admins') or adding
a channel to 开发者社区 read "only an admin can do this", though he is one. A plain member keeps
the plain wording."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.team.models import Channel
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import give_account, sign_in
from tests.team.support import second_team

NAMED = "这里需要「开发者社区」的管理员才能操作"


def test_another_teams_admin_is_told_which_teams_admin_it_takes(runtime: Runtime) -> None:
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        second_team(session)
    with runtime.factory() as session:
        channels = session.scalar(select(func.count()).select_from(Channel))
    app = create_app(runtime, start_background=False)
    with TestClient(app) as boss2, TestClient(app) as m2:
        sign_in(boss2, "boss2", give_account(runtime, "boss2"))
        sign_in(m2, "m2", give_account(runtime, "m2"))
        for refused in (
            boss2.get("/api/v1/bindings"),
            boss2.post("/api/v1/bindings/codes", json={}),
            boss2.get("/api/v1/platform-chats"),
            boss2.post(
                "/api/v1/channels",
                json={"team_id": 1, "platform": "web", "address": "steal", "purpose": "internal"},
            ),
            boss2.post(  # no team: the default team's channel
                "/api/v1/channels",
                json={"platform": "web", "address": "noteam", "purpose": "internal"},
            ),
        ):
            assert refused.status_code == 403, refused.text
            body = refused.json()
            assert body["error"] == "core.error.forbidden"  # the key clients match on stays
            assert body["message"].startswith(NAMED), body
            assert "Only an admin of 开发者社区 can do this" in body["message"], body
        # a member who administers no team keeps the plain wording
        plain = m2.get("/api/v1/bindings").json()
        assert plain["message"].startswith("需要有权限的人才能这样做：这里只有管理员可以操作"), (
            plain
        )
    with runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Channel)) == channels
