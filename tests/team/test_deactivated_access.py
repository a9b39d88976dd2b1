"""Issue 11, found by a fresh tester: deactivation ends a person's access everywhere, and a
person's private web inbox can never be made into a channel whose feed others read."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.runtime import Runtime
from teamassist.team import people
from teamassist.team.models import Channel
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.chat import ChatDriver
from tests.support.web import sign_in
from tests.team.support import demo

NOW = datetime(2026, 6, 1, 2, tzinfo=UTC)


def test_a_private_inbox_address_is_refused_as_a_channel(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    with sqlite_runtime.factory() as session:
        before = session.scalar(select(func.count()).select_from(Channel))
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        body = {"platform": "web", "address": "member:2", "purpose": "public", "name": "spy"}
        refused = client.post("/api/v1/channels", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["message"] == "「member:2」是成员的私人收件箱地址，不能用作频道。"
    with sqlite_runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Channel)) == before


def test_a_deactivated_admin_can_neither_sign_in_nor_command(sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    load_demo(rt)
    rt.settings.web.api_token = SecretStr("deactivated-token-1")
    with transaction(rt.factory) as session:
        d = demo(session)
        other = d["lihua"]
        people.change_role(session, team=d.team, member=other, role=Role.ADMIN)
        people.deactivate(session, member=d["admin"], now=NOW)
    reply = ChatDriver(rt).text("/添加成员 @newcomer", as_="admin")
    assert reply == "你的账号已停用，小助理不能再为你执行指令。如有疑问请联系管理员。"
    with TestClient(create_app(rt, start_background=False)) as client:
        client.post("/login", data={"username": "admin", "password": "admin"})
        assert client.get("/api/v1/me").status_code == 401
        # The install's own token no longer acts as that person, only as the workspace owner.
        token = {"authorization": "Bearer deactivated-token-1"}
        me = client.get("/api/v1/me", headers=token).json()
        assert (me["member_id"], me["owner"]) == (None, True)
