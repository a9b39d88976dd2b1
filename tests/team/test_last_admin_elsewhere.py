"""The last admin of another team is a plain member of this one (tester s24 F13): 运维管理
(opsadmin) is 运维组's only admin, and 王管理 added him to 开发者社区 (the default team) as a
member. Taking him out again was refused by every way in with 「…是「运维组」的最后一位管理员…」,
though he would stay 运维组's admin; 开发者社区 had no way to remove him. The last-admin rule
now looks only at the teams the removal touches. Every backend."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.exceptions import Conflict
from teamassist.runtime import Runtime
from teamassist.team import people
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.web.app import create_app
from tests.support.chat import ChatDriver
from tests.team.support import demo


@pytest.fixture
def ops(chat: ChatDriver) -> int:
    """运维组 with opsadmin its only admin, added to 开发者社区 by its admin; his member id."""
    with transaction(chat.runtime.factory) as session:
        d = demo(session)
        team = team_service.create_team(
            session, workspace=d.workspace, key="ops", name="运维组", timezone="Asia/Shanghai"
        )
        opsadmin = team_service.create_member(
            session,
            workspace=d.workspace,
            handle="opsadmin",
            display_name="运维管理",
            team=team,
            role=Role.ADMIN,
        )
        member_id = opsadmin.id
    added = chat.text("/添加成员 @opsadmin", as_="admin")
    assert "已把 TA 加入「开发者社区」，角色：成员" in added, added
    return member_id


def _teams(rt: Runtime, member_id: int) -> tuple[bool, dict[str, str]]:
    """The member's active flag and {team name: role}."""
    with rt.factory() as session:
        member = session.get(Member, member_id)
        assert member is not None
        roles = {}
        for row in people.memberships(session, member=member):
            team = session.get(Team, row.team_id)
            assert team is not None
            roles[team.name] = row.role
        return member.active, roles


def test_the_teams_admin_takes_out_another_teams_last_admin(chat: ChatDriver, ops: int) -> None:
    reply = chat.text("/停用成员 @opsadmin", as_="admin")

    assert reply.startswith(
        "已把 运维管理 移出「开发者社区」：TA 在这里的值班、1on1 和待办已按离开处理，历史记录保留。"
        "TA 是「运维组」的最后一位管理员，所以仍在那里担任管理员，账号继续启用；"
        "要停用整个人，请先在「运维组」任命另一位管理员。"
    ), reply
    assert _teams(chat.runtime, ops) == (True, {"运维组": "admin"})


def test_the_root_token_takes_him_out_too(chat: ChatDriver, ops: int) -> None:
    rt = chat.runtime
    rt.settings.web.api_token = SecretStr("root-token-f13")
    with TestClient(create_app(rt, start_background=False)) as client:
        gone = client.delete(
            f"/api/v1/members/{ops}", headers={"Authorization": "Bearer root-token-f13"}
        )

    assert gone.status_code == 200, gone.text
    assert gone.json()["active"] is True
    assert _teams(rt, ops) == (True, {"运维组": "admin"})


def test_his_only_team_still_keeps_its_last_admin(chat: ChatDriver, ops: int) -> None:
    """Out of 开发者社区 first: then only 运维组 is left, and the rule holds there."""
    chat.text("/停用成员 @opsadmin", as_="admin")
    with transaction(chat.runtime.factory) as session:
        member = session.get(Member, ops)
        assert member is not None
        with pytest.raises(Conflict) as refused:
            people.depart(session, member=member, now=chat.runtime.clock())
    assert refused.value.key == "people.error.last_admin"
    assert _teams(chat.runtime, ops) == (True, {"运维组": "admin"})


def test_a_dated_departure_is_still_refused(chat: ChatDriver, ops: int) -> None:
    """A date ahead is the whole person's departure: 运维组 would have no admin."""
    reply = chat.text("/停用成员 @opsadmin 2026-12-20", as_="admin")

    assert reply.startswith("「运维管理」是「运维组」的最后一位管理员"), reply
    assert _teams(chat.runtime, ops) == (True, {"开发者社区": "member", "运维组": "admin"})
