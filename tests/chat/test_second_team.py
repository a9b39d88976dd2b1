"""A member of a second team only talks to the assistant in that team, on every chat surface
(tester s16 N2: they landed in the workspace's first team as "未加入本团队")."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import delete, select
from typer.testing import CliRunner

from teamassist.chat.api import ChatRequest
from teamassist.cli import app as cli_app
from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.feedback.models import FeedbackItem
from teamassist.http import auth
from teamassist.runtime import Runtime
from teamassist.team import people, workspaces
from teamassist.team import service as team_service
from teamassist.team.models import TeamMembership
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.chat import ChatDriver
from tests.support.web import sign_in

TOKEN = "second-team-token"


def _product_team(rt: Runtime) -> int:
    """产品组 beside the demo team, with pl1 (its admin) and pm1 in it and in no other."""
    with transaction(rt.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = workspaces.add_team(
            session, workspace=workspace, name="产品组", timezone="Europe/Berlin"
        )
        people.add_member(
            session, workspace=workspace, team=team, handle="pl1", display_name="产品头",
            role=Role.ADMIN,
        )  # fmt: skip
        people.add_member(
            session, workspace=workspace, team=team, handle="pm1", display_name="产品经理"
        )
        admin = team_service.get_member_by_handle(
            session, workspace_id=workspace.id, handle="admin"
        )
        auth.set_password(session, username="admin", password="admin-pw-2026", member=admin)
        return team.id


def test_direct_chat_lands_in_the_members_own_team(chat: ChatDriver) -> None:
    product = _product_team(chat.runtime)
    # The tester's own inputs, in a direct chat no channel binds.
    assert "团队：产品组\n角色：管理员" in chat.text("/我是谁", as_="pl1")
    assert "未加入本团队" not in chat.text("/我是谁", as_="pm1")
    assert "只有团队负责人或管理员" not in chat.text("/发起360 @pm1 2026-12-20", as_="pl1")
    listing = chat.text("/成员列表", as_="pl1")
    assert "产品经理" in listing and "张三" not in listing
    chat.text("/问题反馈 产品组的问题", as_="pm1")
    with chat.runtime.factory() as session:
        item = session.scalars(
            select(FeedbackItem).where(FeedbackItem.text == "产品组的问题")
        ).one()
        assert item.team_id == product
    # The demo team's people still land in theirs.
    assert "团队：开发者社区" in chat.text("/我是谁", as_="zhangsan")


def test_someone_in_no_team_does_not_read_the_first_teams_members(chat: ChatDriver) -> None:
    with transaction(chat.runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        wangwu = team_service.get_member_by_handle(
            session, workspace_id=workspace.id, handle="wangwu"
        )
        assert wangwu is not None
        session.execute(delete(TeamMembership).where(TeamMembership.member_id == wangwu.id))
    reply = chat.text("/成员列表", as_="wangwu")
    assert reply == "您不在「开发者社区」里，不能查看它的成员列表。"


def test_rest_and_web_chat_place_the_speaker_in_their_team(demo_runtime: Runtime) -> None:
    demo_runtime.settings.web.api_token = SecretStr(TOKEN)
    _product_team(demo_runtime)
    with TestClient(create_app(demo_runtime, start_background=False)) as client:
        bearer = {"authorization": f"Bearer {TOKEN}"}
        rest = client.post("/api/v1/chat", json={"text": "/我是谁", "as": "pl1"}, headers=bearer)
        assert rest.status_code == 200, rest.text
        assert "团队：产品组\n角色：管理员" in rest.json()["text"]
        sign_in(client, "admin", "admin-pw-2026")
        page = client.post("/chat/send", data={"text": "/我是谁", "speaker": "pm1"})
        assert "<td>产品组</td>" in page.text and "未加入本团队" not in page.text


def test_only_the_default_team_s_admins_speak_as_someone_else(sqlite_runtime: Runtime) -> None:
    """Tester s26 A-7: 产品组's admin naming his own team's member in ``"as"`` got the bare
    「需要有权限的人才能使用哦」 while the schema said "admins may speak as anyone"."""
    load_demo(sqlite_runtime)
    _product_team(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        pl1 = team_service.get_member_by_handle(session, workspace_id=workspace.id, handle="pl1")
        auth.set_password(session, username="pl1", password="pl1-pw-2026", member=pl1)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client, "pl1", "pl1-pw-2026")
        before = _feedback(sqlite_runtime)
        refused = client.post("/api/v1/chat", json={"text": "/问题反馈 代发", "as": "pm1"})
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"] == "core.error.forbidden"
        assert refused.json()["message"] == (
            '只有工作区管理员（默认团队「开发者社区」的管理员）和全局 API 令牌可以用 "as" '
            '代别人发言：这条消息没有以「产品经理」的名义发出，什么都没有执行；去掉 "as" '
            "就以你自己的身份发言。/ Only admins of the default team 开发者社区 and the global "
            'API token may speak as someone else with "as"; nothing was sent.'
        )
        assert _feedback(sqlite_runtime) == before
        own = client.post("/api/v1/chat", json={"text": "/我是谁", "as": "pl1"})
        assert own.status_code == 200 and "产品组" in own.json()["text"]
        client.cookies.clear()
        sign_in(client, "admin", "admin-pw-2026")
        spoken = client.post("/api/v1/chat", json={"text": "/我是谁", "as": "pm1"})
        assert spoken.status_code == 200 and "产品经理" in spoken.json()["text"]
    description = ChatRequest.model_fields["as_member"].description or ""
    assert "default team" in description and "admins may speak as anyone" not in description


def _feedback(runtime: Runtime) -> list[str]:
    with runtime.factory() as session:
        return list(session.scalars(select(FeedbackItem.text).order_by(FeedbackItem.id)))


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", f"sqlite:///{tmp_path}/ta.db")
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    return tmp_path


def test_cli_chat_of_a_member_added_to_team_two(cli_env: Path) -> None:
    # README's way to set up a community: a second team, and people added to it.
    runner = CliRunner()
    assert runner.invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(cli_app, ["demo", "load"]).exit_code == 0
    added = runner.invoke(cli_app, ["team", "add", "产品组", "--timezone", "Europe/Berlin"])
    assert added.exit_code == 0, added.output
    team_id = "2"
    for handle, name, role in (("pl1", "产品头", "admin"), ("pm1", "产品经理", "member")):
        result = runner.invoke(
            cli_app, ["member", "add", handle, "--name", name, "--role", role, "--team", team_id]
        )
        assert result.exit_code == 0, result.output
    result = runner.invoke(cli_app, ["chat", "--as", "pm1", "/我是谁"])
    assert result.exit_code == 0, result.output
    assert "团队：产品组" in result.output and "未加入本团队" not in result.output


def test_cli_member_add_puts_an_existing_person_in_a_second_team(cli_env: Path) -> None:
    """Tester F13 (session 20): ``member add zhangsan --name 张三 --team 2`` answered that the
    handle exists; chat and REST put the person in the team, and so does the CLI now."""
    runner = CliRunner()
    assert runner.invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(cli_app, ["demo", "load"]).exit_code == 0
    assert runner.invoke(cli_app, ["team", "add", "运维组"]).exit_code == 0
    result = runner.invoke(cli_app, ["member", "add", "zhangsan", "--name", "张三", "--team", "2"])
    assert result.exit_code == 0, result.output
    assert "zhangsan（张三）已经是社区里的成员，已加入团队：运维组，角色：成员" in result.output
    assert "没有用上" not in result.output  # --name 张三 is his name
    again = runner.invoke(cli_app, ["member", "add", "zhangsan", "--team", "2"])
    assert again.exit_code == 1 and "已经在「运维组」" in again.output, again.output
    # Tester F10 (session 21): the refusal named a chat command (/设置角色 @zhangsan 角色) for
    # a shell; and another --name for an existing person was dropped without a word.
    assert "控制台的成员页" in again.output and "@zhangsan 角色" not in again.output
    other = runner.invoke(cli_app, ["member", "add", "lisi", "--name", "假李四", "--team", "2"])
    assert other.exit_code == 0, other.output
    assert "你写的名字「假李四」没有用上" in other.output and "都叫「李四」" in other.output
    result = runner.invoke(cli_app, ["chat", "--as", "zhangsan", "/我是谁"])
    assert "所在团队：开发者社区（成员）、运维组（成员）" in result.output, result.output
