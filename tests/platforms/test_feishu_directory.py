"""The Feishu directory through the fake Open API: contact names and departments for a mention
of someone who never wrote to the bot; a chat's owner and managers as admins; chats and members
listed for choosing channels."""

from __future__ import annotations

from sqlalchemy import select

from teamassist.enums import Role
from teamassist.ports import Directory, DirectoryChat, DirectoryUser
from teamassist.team import service as team_service
from teamassist.team.models import Member, PlatformIdentity, Team
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes.feishu import FakeChat
from tests.platforms.test_feishu import Env


def _role(env: Env, open_id: str) -> Role | None:
    with env.runtime.factory() as session:
        member = session.scalar(
            select(Member).join(PlatformIdentity).where(PlatformIdentity.user_key == open_id)
        )
        team = session.scalar(select(Team))
        assert member is not None and team is not None
        return team_service.role_of(session, team=team, member=member)


def test_a_feishu_mention_of_a_newcomer_is_enrolled_with_name_and_departments(env: Env) -> None:
    env.fake.users.update({"ou_boss": "飞书管理员", "ou_new": "新同事"})
    env.fake.user_departments["ou_new"] = ["od-eng"]
    env.fake.departments["od-eng"] = "研发部"
    env.fake.chats["oc_group"] = FakeChat(name="研发群", owner_id="ou_boss")
    event = fk.message_event(
        "/值班人员增加 @_user_1",
        sender="ou_boss",
        mentions=[("@_user_1", "ou_new", "新同事")],
    )
    assert env.post(event).status_code == 200
    env.runtime.deliver()
    body = env.fake.messages()[-1].content["body"]["elements"][0]["content"]
    assert "<at id=ou_new></at>" in body and "找不到" not in body
    with env.runtime.factory() as session:
        identity = session.scalar(
            select(PlatformIdentity).where(PlatformIdentity.user_key == "ou_new")
        )
        assert identity is not None and identity.member.display_name == "新同事"
        assert identity.profile == {"name": "新同事", "roles": [], "departments": ["研发部"]}
    # the chat's owner who wrote first is an admin here: Feishu users can be admins
    assert _role(env, "ou_boss") is Role.ADMIN
    assert _role(env, "ou_new") is Role.MEMBER


def test_chat_managers_are_admins_and_plain_members_are_not(env: Env) -> None:
    env.fake.users.update({"ou_mgr": "群管理", "ou_plain": "群成员"})
    env.fake.chats["oc_group"] = FakeChat(name="研发群", owner_id="ou_x", managers=["ou_mgr"])
    env.post(fk.message_event("/我是谁", sender="ou_mgr", message_id="om_1"))
    env.post(fk.message_event("/我是谁", sender="ou_plain", message_id="om_2"))
    assert _role(env, "ou_mgr") is Role.ADMIN
    assert _role(env, "ou_plain") is Role.MEMBER


def test_the_directory_lists_chats_and_members(env: Env) -> None:
    env.fake.chats["oc_a"] = FakeChat(
        name="团队群", owner_id="ou_a", members=[("ou_a", "甲"), ("ou_b", "乙")]
    )
    env.fake.chats["oc_b"] = FakeChat(name="核心群")
    port = env.runtime.ports.get(Directory)
    chats = port.chats(platform="feishu", tenant_key=fk.TENANT_KEY)
    assert list(chats) == [
        DirectoryChat("oc_a", "团队群", "chat"),
        DirectoryChat("oc_b", "核心群", "chat"),
    ]
    members = port.members(platform="feishu", tenant_key=fk.TENANT_KEY, chat_key="oc_a")
    assert list(members) == [DirectoryUser("ou_a", "甲"), DirectoryUser("ou_b", "乙")]
    # a platform that is not enabled has no directory: nothing, not an error
    assert port.chats(platform="qq", tenant_key="g-1") == []


def test_a_big_chat_is_listed_past_its_first_page(env: Env) -> None:
    # Given a group of 250 people (the seed read only the first 100), whose pages Feishu
    # sends a member short (a bot filtered out after the cut)
    people = [(f"ou_{n:03d}", f"成员{n}") for n in range(250)]
    env.fake.chats["oc_big"] = FakeChat(name="全员群", owner_id="ou_000", members=people)
    port = env.runtime.ports.get(Directory)
    # When the directory lists its members
    members = port.members(platform="feishu", tenant_key=fk.TENANT_KEY, chat_key="oc_big")
    # Then everyone is there once, in order, read by following page_token to the last page
    assert [m.user_key for m in members] == [o for o, _ in people]
    asked = [token for chat, token in env.fake.member_pages if chat == "oc_big"]
    assert asked[0] == "" and len(asked) == 3 and all(asked[1:])
