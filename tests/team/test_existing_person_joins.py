"""Someone the workspace already has joins a second team: ``/添加成员``, REST and the page
answered 「账号已存在」 and no command put a person in a second team (testers s18-19). They call
one ``people.add_person``; the chat side is in ``test_cross_team.py`` and ``test_commands.py``."""

from __future__ import annotations

import pytest

from teamassist.chat.render import to_plain
from teamassist.chat.types import Reply
from teamassist.database import transaction
from teamassist.team import people
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from tests.support.chat import ChatDriver
from tests.support.web import signed_in
from tests.team.support import demo, second_team


def _team2(session: object) -> Team:
    d = demo(session)  # type: ignore[arg-type]
    return team_service.get_teams(d.session, workspace_id=d.workspace.id)[1]


@pytest.fixture
def two_teams(chat: ChatDriver) -> ChatDriver:
    with transaction(chat.runtime.factory) as session:
        second_team(session)
    return chat


def test_rest_and_the_page_add_an_existing_person_to_a_second_team(two_teams: ChatDriver) -> None:
    """Adding someone the workspace has answered 「账号已存在」 (409): no way to put a person in
    a second team. REST and the page call the chat command's ``people.add_person``."""
    chat = two_teams
    with chat.runtime.factory() as session:
        d = demo(session)
        lisi, wangwu, team2 = d["lisi"].id, d["wangwu"].id, _team2(session).id
    with signed_in(chat.runtime, "boss2") as http:
        boss2 = http["boss2"]
        path = f"/api/v1/teams/{team2}/members"
        answer = boss2.post(path, json={"handle": "lisi", "display_name": "别的名字"})
        assert answer.status_code == 201, answer.text
        assert answer.json()["id"] == lisi and answer.json()["display_name"] == "李四"
        again = boss2.post(path, json={"handle": "lisi", "display_name": "李四"})
        assert again.status_code == 409, again.text
        assert again.json()["error"] == "people.error.already_in_team"
        page = boss2.post(
            "/team/members", params={"team": team2}, data={"handle": "王五", "display_name": "王五"}
        )
        assert page.status_code in (200, 303), page.text
    with chat.runtime.factory() as session:
        d = demo(session)
        for member_id in (lisi, wangwu):
            member = session.get(Member, member_id)
            assert member is not None
            teams = {r.team_id for r in people.memberships(session, member=member)}
            assert teams == {1, team2}, (member.handle, teams)
        assert d["lisi"].display_name == "李四"  # their account as it was


def _joined_notices(chat: ChatDriver) -> list[tuple[str, str]]:
    """(address, text) of the notices that told someone they joined a team."""
    return [
        (m.address, to_plain(Reply.model_validate(m.payload)))
        for m in chat.queued()
        if m.idempotency_key.startswith("people.joined:")
    ]


def test_a_person_added_to_another_team_is_told(two_teams: ChatDriver) -> None:
    """Session 27's leftovers: /添加成员 put any person of the workspace in the speaker's team
    without a word to them. They are told who added them, to which team and as what, through
    the outbox, and the reply says so; chat, REST, the page and the CLI call one service."""
    chat = two_teams
    with chat.runtime.factory() as session:
        d = demo(session)
        lisi, zhangsan_id, team2 = d["lisi"], d["zhangsan"].id, _team2(session).id
        lisi_addresses = {i.user_key for i in lisi.identities} | {f"member:{lisi.id}"}
    reply = chat.text("/添加成员 @lisi", as_="boss2")
    assert "李四（lisi）已经是社区里的成员，已把 TA 加入「第二团队」" in reply, reply
    assert "已通知 TA 本人" in reply, reply
    [(address, text)] = _joined_notices(chat)
    assert address in lisi_addresses, address
    assert text == (
        "二号老板 把你加入了「第二团队」，角色：成员。你的账号和在其他团队的身份都没有变。"
        "如果你不该在这个团队，请告诉「第二团队」的管理员。"
    ), text
    # someone new has no chat of their own to be told in: nothing queued, nothing said
    fresh = chat.text("/添加成员 @newbie 新人", as_="boss2")
    assert "已通知" not in fresh and len(_joined_notices(chat)) == 1, fresh
    with signed_in(chat.runtime, "boss2") as http:
        answer = http["boss2"].post(
            f"/api/v1/teams/{team2}/members",
            json={"handle": "zhangsan", "display_name": "张三", "role": "lead"},
        )
        assert answer.status_code == 201 and answer.json()["told"] is True, answer.text
        wangwu = {"handle": "wangwu", "display_name": "王五"}
        page = http["boss2"].post("/team/members", params={"team": team2}, data=wangwu)
        assert "已把 王五 加入「第二团队」，并通知了 TA 本人" in page.text, page.text[:300]
    told = [text for _, text in _joined_notices(chat) if "角色：主管" in text]
    assert len(told) == 1 and "二号老板 把你加入了「第二团队」" in told[0], told
    assert len(_joined_notices(chat)) == 3  # lisi, zhangsan, wangwu
    with chat.runtime.factory() as session:
        zhangsan = session.get(Member, zhangsan_id)
        assert zhangsan is not None
        assert len(people.memberships(session, member=zhangsan)) == 2


def test_an_inactive_person_is_not_added_to_another_team(two_teams: ChatDriver) -> None:
    chat = two_teams
    assert "已停用" in chat.text("/停用成员 @wangwu", as_="admin")
    refused = chat.text("/添加成员 @wangwu", as_="boss2")
    assert "「王五」已经停用，请先重新启用" in refused, refused
    with chat.runtime.factory() as session:
        assert len(people.memberships(session, member=demo(session)["wangwu"])) == 1


def test_rest_and_the_page_say_the_name_given_was_not_used(two_teams: ChatDriver) -> None:
    """Tester F10 (session 21): chat says an existing person's other display name was not used;
    REST and the members page added them and dropped it without a word."""
    chat = two_teams
    with chat.runtime.factory() as session:
        team2 = _team2(session).id
    said = "你写的名字「{given}」没有用上：TA 已经是社区里的成员，在所有团队里都叫「{name}」"
    with signed_in(chat.runtime, "boss2") as http:
        boss2 = http["boss2"]
        path = f"/api/v1/teams/{team2}/members"
        answer = boss2.post(path, json={"handle": "lisi", "display_name": "假李四"})
        assert answer.status_code == 201, answer.text
        assert answer.json()["display_name"] == "李四"
        assert answer.json()["name_not_used"] == "假李四"
        assert said.format(given="假李四", name="李四") in answer.json()["notice"]
        # their own name (or none different) is no notice
        same = boss2.post(path, json={"handle": "wangwu", "display_name": "王五"})
        assert same.status_code == 201 and same.json()["notice"] is None, same.text
        page = boss2.post(
            "/team/members",
            params={"team": team2},
            data={"handle": "zhaoliu", "display_name": "冒名赵六"},
        )
        assert page.status_code == 200, page.text  # followed back to the members page
        assert said.format(given="冒名赵六", name="赵六") in page.text, page.text
