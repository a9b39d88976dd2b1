"""A person in two teams acts for either from a direct chat: ``/切换团队`` chooses the team
their unbound chats (direct, web, CLI, chat API) act for, ``/我是谁`` lists every team
(tester s20 F4: told to ``/值班签到`` for their second team, they were refused there)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.feedback.models import FeedbackItem
from teamassist.runtime import Runtime
from teamassist.team import people, workspaces
from teamassist.team import service as team_service
from teamassist.team.models import Team
from teamassist.web.app import create_app
from tests.support.chat import ChatDriver

TOKEN = "switch-team-token"


def _ops_team(rt: Runtime) -> int:
    """运维组 beside the demo team: opsadmin its admin, lisi (of 开发者社区) in both."""
    with transaction(rt.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = workspaces.add_team(
            session, workspace=workspace, name="运维组", timezone="Asia/Shanghai"
        )
        people.add_member(
            session, workspace=workspace, team=team, handle="opsadmin", display_name="运维管理",
            role=Role.ADMIN,
        )  # fmt: skip
        people.add_person(
            session,
            workspace=workspace,
            team=team,
            handle="lisi",
            display_name="李四",
            by=None,
            now=rt.clock(),
        )
        return team.id


def _team_of_item(chat: ChatDriver, text: str) -> int:
    with chat.runtime.factory() as session:
        item = session.scalars(select(FeedbackItem).where(FeedbackItem.text == text)).one()
        return item.team_id


def test_a_person_in_two_teams_is_told_both_and_acts_for_the_chosen(chat: ChatDriver) -> None:
    ops = _ops_team(chat.runtime)
    who = chat.text("/我是谁", as_="lisi")
    assert "团队：开发者社区" in who
    assert "所在团队：开发者社区（成员）、运维组（成员）" in who
    assert "/切换团队" in who
    chat.text("/问题反馈 切换前的问题", as_="lisi")
    assert _team_of_item(chat, "切换前的问题") != ops

    reply = chat.text("/切换团队 运维组", as_="lisi")
    assert "以后你在私聊、网页聊天和 API 里发的指令都代表「运维组」" in reply
    assert "团队：运维组\n角色：成员" in chat.text("/我是谁", as_="lisi")
    chat.text("/问题反馈 切换后的问题", as_="lisi")
    assert _team_of_item(chat, "切换后的问题") == ops
    # Back again, by the team's key this time; one choice at a time.
    with chat.runtime.factory() as session:
        key = session.scalars(select(Team.key).where(Team.name == "开发者社区")).one()
    assert "「开发者社区」" in chat.text(f"/切换团队 {key.upper()}", as_="lisi")
    assert "团队：开发者社区" in chat.text("/我是谁", as_="lisi")
    # The others are untouched.
    assert "团队：运维组\n角色：管理员" in chat.text("/我是谁", as_="opsadmin")
    assert "团队：开发者社区" in chat.text("/我是谁", as_="zhangsan")


def test_listing_and_refusals_change_nothing(chat: ChatDriver) -> None:
    _ops_team(chat.runtime)
    listing = chat.text("/切换团队", as_="lisi")
    assert listing == (
        "你所在的团队：开发者社区（成员）、运维组（成员）。私聊里的指令现在代表「开发者社区」；"
        "发送 /切换团队 团队名 可以换一个。"
    )
    assert chat.text("/切换团队 运维组", as_="zhangsan") == (
        "你不在「运维组」里，不能代表它，这次没有改动。你所在的团队：开发者社区。"
    )
    assert chat.text("/切换团队 不存在组", as_="lisi") == (
        "找不到团队「不存在组」，这次没有改动。你所在的团队：开发者社区、运维组。"
    )
    assert "团队：开发者社区" in chat.text("/我是谁", as_="lisi")
    assert "团队：开发者社区" in chat.text("/我是谁", as_="zhangsan")
    # a long unknown name is repeated in part, and a name in the replies' brackets or with an
    # @ is the team (tester F13, session 21)
    long = chat.text("/切换团队 " + "组" * 3000, as_="lisi")
    assert len(long) < 200 and "组" * 40 + "…" in long, long
    assert "「运维组」" in chat.text("/切换团队 「运维组」", as_="lisi")
    assert "「开发者社区」" in chat.text("/切换团队 @开发者社区", as_="lisi")


def test_told_to_sign_in_for_the_second_team_they_can(chat: ChatDriver) -> None:
    """The tester's steps: the second team's admin hands lisi today's duty there."""
    _ops_team(chat.runtime)
    chat.text("/值班人员增加 @opsadmin", as_="opsadmin")
    taken = chat.text("/值班代班 @lisi 今天", as_="opsadmin")
    assert "@李四 接手了今天的值班" in taken, taken
    # which team's duty, for a person in several (tester F13, session 21)
    assert (
        "这是「运维组」的值班；@李四 在几个团队里：请在「运维组」的群里签到，"
        "或在私聊里先发送 /切换团队 运维组 再发 /值班签到。"
    ) in taken, taken
    # one team only: the reply is as before
    assert "这是「运维组」的值班" not in chat.text("/值班代班 @opsadmin 今天", as_="opsadmin")
    # the refusal names the team she is on duty in and the way there (tester F4, session 21:
    # 「今天不是你值班」 was false)
    refused = chat.text("/值班签到", as_="lisi")
    assert refused == (
        "「@李四」今天不在「开发者社区」值班，你今天在「运维组」值班：请在「运维组」的群里发送，"
        "或在私聊里先发送 /切换团队 运维组 再发一次。"
    ), refused
    assert "今天不在「开发者社区」值班" in chat.text("/值班签出", as_="lisi")
    chat.text("/切换团队 运维组", as_="lisi")
    assert "签到成功" in chat.text("/值班签到", as_="lisi")


def test_the_chat_api_follows_the_choice(demo_runtime: Runtime) -> None:
    demo_runtime.settings.web.api_token = SecretStr(TOKEN)
    _ops_team(demo_runtime)
    with TestClient(create_app(demo_runtime, start_background=False)) as client:
        bearer = {"authorization": f"Bearer {TOKEN}"}

        def say(text: str) -> str:
            answer = client.post("/api/v1/chat", json={"text": text, "as": "lisi"}, headers=bearer)
            assert answer.status_code == 200, answer.text
            return str(answer.json()["text"])

        assert "团队：开发者社区" in say("/我是谁")
        assert "「运维组」" in say("/切换团队 运维组")
        assert "团队：运维组\n角色：成员" in say("/我是谁")


def test_whoami_in_a_group_chat_names_the_direct_chats_team(chat: ChatDriver) -> None:
    """Tester F13 (session 21): in the demo team's group chat, /我是谁 said 「私聊里的指令现在
    代表「开发者社区」」 (the group's team) for someone whose direct chats act for 运维组."""
    from teamassist.chat.types import ChatType

    _ops_team(chat.runtime)
    chat.text("/切换团队 运维组", as_="lisi")
    here = chat.say("/我是谁", as_="lisi", chat_key="public", chat_type=ChatType.GROUP)
    assert here is not None
    text = here.body
    assert "私聊里的指令现在代表「运维组」" in text, text
    assert "这个聊天属于「开发者社区」，在这里发的指令仍代表「开发者社区」" in text, text
    # in a direct chat the two are one team: nothing more said
    direct = chat.text("/我是谁", as_="lisi")
    assert "私聊里的指令现在代表「运维组」" in direct and "这个聊天属于" not in direct, direct


def test_a_team_is_read_as_team_reads_it_and_two_answering_are_refused(chat: ChatDriver) -> None:
    """Tester s28 E-17: ``/切换团队 #3`` was "not found" and ``3`` took the team *named* 3
    without a word that #3 is also 3; ``--team`` reads ``#3`` as the id and refuses a value two
    teams answer to (f38f62b). One reader for both (``names.teams_answering``)."""
    ops = _ops_team(chat.runtime)
    with transaction(chat.runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        named = workspaces.add_team(
            session, workspace=workspace, name=str(ops), timezone="Asia/Shanghai"
        )
        people.add_person(
            session, workspace=workspace, team=named, handle="lisi", display_name="李四", by=None,
            now=chat.runtime.clock(),
        )  # fmt: skip
        named_id, named_key = named.id, named.key
    both = chat.text(f"/切换团队 {ops}", as_="lisi")
    assert both == (
        f"「{ops}」对得上你所在的不止一个团队："
        f"{_key(chat, ops)}（运维组，#{ops}）、{named_key}（{ops}，#{named_id}）。"
        f"这次没有改动；请用 #编号 指明是哪一个（如 /切换团队 #{ops}）。"
    )
    assert "团队：开发者社区" in chat.text("/我是谁", as_="lisi")  # nothing changed
    assert "「运维组」" in chat.text(f"/切换团队 #{ops}", as_="lisi")
    assert "团队：运维组" in chat.text("/我是谁", as_="lisi")
    assert f"「{ops}」" in chat.text(f"/切换团队 ＃{named_id}", as_="lisi")  # full-width too
    assert f"团队：{ops}\n" in chat.text("/我是谁", as_="lisi")
    assert chat.text(f"/切换团队 #{ops}", as_="zhangsan") == (
        "你不在「运维组」里，不能代表它，这次没有改动。你所在的团队：开发者社区。"
    )
    assert chat.text("/切换团队 #999", as_="lisi").startswith("找不到团队「#999」")


def _key(chat: ChatDriver, team_id: int) -> str:
    with chat.runtime.factory() as session:
        return session.scalars(select(Team.key).where(Team.id == team_id)).one()
