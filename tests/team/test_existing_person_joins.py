"""Someone the workspace already has joins a second team: ``/添加成员``, REST and the page
answered 「账号已存在」 and no command put a person in a second team (testers s18-19). They call
one ``people.add_person``; the chat side is in ``test_cross_team.py`` and ``test_commands.py``."""

from __future__ import annotations

import pytest

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
