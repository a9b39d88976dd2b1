"""Chat commands that change a person ask REST's rule: the speaker administers a team *that
person* is in (or the default team), not merely the team they speak in (tester s18 F26, F20).

The demo's team 1 「开发者社区」 is the default team; 第二团队 has its own admin boss2 only."""

from __future__ import annotations

import pytest

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.team import people
from teamassist.team import service as team_service
from tests.support.chat import ChatDriver
from tests.support.web import signed_in
from tests.team.support import demo, second_team


@pytest.fixture
def two_teams(chat: ChatDriver) -> ChatDriver:
    with transaction(chat.runtime.factory) as session:
        second_team(session)
    return chat


def _state(chat: ChatDriver, handle: str) -> tuple[bool, int | None, dict[int, Role]]:
    """Active, merged into, and team roles of one member, as stored."""
    with chat.runtime.factory() as session:
        m = demo(session)[handle]
        rows = people.memberships(session, member=m)
        return m.active, m.merged_into_id, {r.team_id: Role(r.role) for r in rows}


def test_another_teams_admin_cannot_merge_this_teams_lead(two_teams: ChatDriver) -> None:
    chat = two_teams
    lihua, m2 = _state(chat, "lihua"), _state(chat, "m2")
    refused = chat.text("/合并成员 @二队成员 @lihua", as_="boss2")
    assert "只有「开发者社区」的管理员可以更改「李华」" in refused, refused
    assert "这次没有改动" in refused
    assert _state(chat, "lihua") == lihua and _state(chat, "m2") == m2
    # the other way round (keeping team 1's person) is refused for the same reason
    assert "可以更改「李四」" in chat.text("/合并成员 @lisi @二队成员", as_="boss2")
    assert _state(chat, "lisi")[1] is None and _state(chat, "m2") == m2
    assert "二队成员" in chat.text("/我是谁", as_="m2") and "负责人" not in chat.text(
        "/我是谁", as_="m2"
    )


def test_the_right_admins_still_merge(two_teams: ChatDriver) -> None:
    chat = two_teams
    # boss2 administers both of these people's team
    assert "已把 二队三号 合并到 二队成员" in chat.text("/合并成员 @二队成员 @m3", as_="boss2")
    assert _state(chat, "m3")[:2] == (False, _state_id(chat, "m2"))
    # the default team's admin runs the workspace's people, as REST lets them
    assert "已把 李四 合并到 二队成员" in chat.text("/合并成员 @二队成员 @lisi", as_="admin")


def _state_id(chat: ChatDriver, handle: str) -> int:
    with chat.runtime.factory() as session:
        return demo(session)[handle].id


def test_rest_and_chat_ask_the_same_rule(two_teams: ChatDriver) -> None:
    with two_teams.runtime.factory() as session:
        d = demo(session)
        boss2, lihua, m3 = d["boss2"], d["lihua"], d["m3"]
        assert not people.may_administer(session, actor=boss2, member=lihua)
        assert people.may_administer(session, actor=boss2, member=m3)
        assert people.may_administer(session, actor=d["admin"], member=m3)
        assert people.may_administer(session, actor=None, member=lihua)
        team2 = team_service.get_teams(session, workspace_id=d.workspace.id)[1]
        assert team_service.role_of(session, team=team2, member=boss2) is Role.ADMIN


def _person(chat: ChatDriver, handle: str) -> tuple[bool, str, str | None, int | None]:
    """Active, display name, 称呼 and manager of one member, as stored."""
    with chat.runtime.factory() as session:
        m = demo(session)[handle]
        return m.active, m.display_name, m.address_as, m.manager_id


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        ("/停用成员 @张三", "zhangsan"),
        ("/改名 @王管理 被改名的管理员", "admin"),
        ("/设置称呼 @李华 小李子", "lihua"),
        ("/设置上级 @李四 @二号老板", "lisi"),
    ],
)
def test_another_teams_admin_cannot_change_this_teams_people(
    two_teams: ChatDriver, text: str, handle: str
) -> None:
    chat = two_teams
    before = _person(chat, handle)
    refused = chat.text(text, as_="boss2")
    assert "只有「开发者社区」的管理员可以更改" in refused and "这次没有改动" in refused, refused
    assert _person(chat, handle) == before


def test_another_teams_admin_cannot_reactivate_this_teams_people(two_teams: ChatDriver) -> None:
    chat = two_teams
    assert "已停用 张三" in chat.text("/停用成员 @zhangsan", as_="admin")
    refused = chat.text("/启用成员 @zhangsan", as_="boss2")
    assert "可以更改「张三」" in refused, refused
    assert _person(chat, "zhangsan")[0] is False
    assert "张三" in chat.text("/启用成员 @zhangsan", as_="admin")
    assert _person(chat, "zhangsan")[0] is True


def test_each_admin_still_changes_their_own_teams_people(two_teams: ChatDriver) -> None:
    chat = two_teams
    assert "二队新名" in chat.text("/改名 @m2 二队新名", as_="boss2")
    assert "小二" in chat.text("/设置称呼 @m3 小二", as_="boss2")
    assert "上级是 二号老板" in chat.text("/设置上级 @m3 @二号老板", as_="boss2")
    assert "已停用 二队三号" in chat.text("/停用成员 @m3", as_="boss2")
    assert _person(chat, "m2")[1] == "二队新名" and _person(chat, "m3")[0] is False
    # the default team's admin runs the workspace's people, as REST lets them
    assert "二队二号" in chat.text("/改名 @m2 二队二号", as_="admin")


def test_adding_someones_name_adds_that_person(two_teams: ChatDriver) -> None:
    """Tester s18 F23: ``/添加成员 @张三`` in 第二团队 made a member with the handle 张三, who then
    took every @张三 of team 1 (a task, a deactivation); s19 refused it, and no command put the
    person in a second team at all. Now the one 张三 of the workspace joins 第二团队."""
    chat = two_teams
    joined = chat.text("/添加成员 @张三", as_="boss2")
    assert "张三（zhangsan）已经是社区里的成员，已把 TA 加入「第二团队」" in joined, joined
    assert "/添加成员 @zhangsan2 张三2" in joined
    with chat.runtime.factory() as session:
        named = [m for m in demo(session).people.values() if m.display_name == "张三"]
        assert [m.handle for m in named] == ["zhangsan"]
        assert len(people.memberships(session, member=named[0])) == 2
    # @张三 still means team 1's 张三
    assert "张三 的上级是 李华" in chat.text("/设置上级 @张三 @lihua", as_="admin")
    # a second 张三 under another handle is refused, as a rename to 张三 is (tester s25 F-9:
    # tests/team/test_add_names_across_teams.py)
    refused = chat.text("/添加成员 @zhang3 张三", as_="boss2")
    assert refused.startswith("「张三」已经是 @zhangsan 的名字"), refused
    # namesakes from before that check: the bare name asks which, adding by it is refused
    with transaction(chat.runtime.factory) as session:
        d = demo(session)
        team_service.create_member(
            session, workspace=d.workspace, handle="zhang3", display_name="张三", team=d.team
        )
    assert "有多位成员叫「张三」" in chat.text("/设置上级 @张三 @lihua", as_="admin")
    refused = chat.text("/添加成员 @张三 管理员", as_="admin")
    assert "有多位成员叫「张三」（@zhangsan、@zhang3）" in refused, refused
    assert "/添加成员 @zhangsan" in refused and "这次没有改动" in refused


def test_a_manager_is_of_the_same_team_or_also_administered(two_teams: ChatDriver) -> None:
    """boss2 made team 1's 张三 the manager of his own m2 (tester s18 F20 follow-up): a
    manager reads the report's prep packs and 360 pool, so it is a change to 张三 too."""
    chat = two_teams
    before = _person(chat, "m2")
    refused = chat.text("/设置上级 @m2 @zhangsan", as_="boss2")
    assert "「张三」和「二队成员」不在同一个团队里" in refused, refused
    assert "这次没有改动" in refused
    assert _person(chat, "m2") == before
    # REST refuses it with the same words
    with signed_in(chat.runtime, "boss2") as http:
        answer = http["boss2"].patch(
            f"/api/v1/members/{_state_id(chat, 'm2')}",
            json={"manager_id": _state_id(chat, "zhangsan")},
        )
    assert answer.status_code == 403, answer.text
    assert answer.json()["message"] == refused
    assert _person(chat, "m2") == before
    # the default team's admin administers both: the line across teams is theirs to draw
    assert "上级是 张三" in chat.text("/设置上级 @m2 @zhangsan", as_="admin")
    # once 张三 is in 第二团队 too, its admin may name him
    assert "上级是 二号老板" in chat.text("/设置上级 @m2 @二号老板", as_="boss2")
    with transaction(chat.runtime.factory) as session:
        d = demo(session)
        team2 = team_service.get_teams(session, workspace_id=d.workspace.id)[1]
        team_service.set_role(session, team=team2, member=d["zhangsan"], role=Role.MEMBER)
    assert "上级是 张三" in chat.text("/设置上级 @m2 @zhangsan", as_="boss2")


def test_the_dashboard_asks_the_persons_team_too(two_teams: ChatDriver) -> None:
    """The members and org pages checked only "admin of the team shown" (``?team=``) and
    then deactivated, renamed, re-parented or merged any member id: boss2 did to team 1's
    people from 第二团队's page what chat and REST refuse him (s18 F20, F26)."""
    chat = two_teams
    with chat.runtime.factory() as session:
        team2 = team_service.get_teams(session, workspace_id=demo(session).workspace.id)[1].id
    zhangsan, lihua, m2 = (_state_id(chat, h) for h in ("zhangsan", "lihua", "m2"))
    before = {h: (_person(chat, h), _state(chat, h)) for h in ("zhangsan", "lihua", "m2")}
    edit = {"handle": "zhangsan", "display_name": "外队改名", "role": "member"}
    with signed_in(chat.runtime, "boss2") as http:
        boss2 = http["boss2"]
        for path, form in (
            (f"/team/members/{zhangsan}/deactivate", {}),
            (f"/team/members/{zhangsan}/reactivate", {}),
            (f"/team/members/{zhangsan}", edit),
            (f"/team/org/members/{zhangsan}", {"manager_id": str(m2)}),
            ("/team/merge", {"into_id": str(m2), "source_id": str(lihua)}),
        ):
            answer = boss2.post(path, params={"team": team2}, data=form)
            assert answer.status_code == 403, (path, answer.text)
            assert "只有「开发者社区」的管理员可以更改" in answer.json()["message"], path
        assert {h: (_person(chat, h), _state(chat, h)) for h in before} == before
        # their own team's people they still change there
        answer = boss2.post(
            f"/team/org/members/{m2}", params={"team": team2}, data={"manager_id": ""}
        )
        assert answer.status_code in (200, 303), answer.text


def test_a_name_given_for_an_existing_person_is_said_unused(two_teams: ChatDriver) -> None:
    """Tester F8 (session 20): ``/添加成员 @lisi 成员 假李四`` added 李四 and dropped the name
    without a word. The name stays the workspace's; the reply says the one typed was not used."""
    chat = two_teams
    joined = chat.text("/添加成员 @lisi 成员 假李四", as_="boss2")
    assert "李四（lisi）已经是社区里的成员，已把 TA 加入「第二团队」" in joined, joined
    assert "你写的名字「假李四」没有用上：TA 在所有团队里都叫「李四」。" in joined, joined
    assert _person(chat, "lisi")[1] == "李四"
    # no name typed says nothing more
    assert "没有用上" not in chat.text("/添加成员 @sunqi", as_="boss2")
