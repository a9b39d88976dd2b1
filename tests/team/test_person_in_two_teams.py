"""A person in two teams: an admin of one of them acts on that team only (testers s18-19).

张三 is in the demo's team 1 (开发者社区, the default team: its duty rotation 技术) and, here,
in 第二团队 too (admin boss2 only, its rotation 二队值班 张三→二队成员). boss2 deactivating
张三 took him out of team 1's rotation, duty and items as well; merging two records as boss2
moved the dropped one's team-1 membership to the kept one. Now boss2 takes 张三 out of 第二团队
alone (he stays active in team 1), and a merge needs an admin of every team of both records.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from teamassist.actions import service as actions
from teamassist.actions.models import ActionItem
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.duty import service as duty
from teamassist.duty.rotation import CompiledRotation
from teamassist.enums import Role
from teamassist.team import people
from teamassist.team import service as team_service
from teamassist.team.models import Team
from tests.duty.helpers import at_local
from tests.support.chat import ChatDriver
from tests.support.web import signed_in
from tests.team.support import demo, zhangsan_in_two_teams

TODAY = date(2026, 12, 3)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(at_local(TODAY, 9))


def _team2(session: object) -> Team:
    d = demo(session)  # type: ignore[arg-type]
    return team_service.get_teams(d.session, workspace_id=d.workspace.id)[1]


@pytest.fixture
def both(chat: ChatDriver) -> ChatDriver:
    """张三 in both teams, in both teams' rotations, with an open item in each."""
    now = chat.runtime.clock()
    with transaction(chat.runtime.factory) as session:
        team2, zhangsan = zhangsan_in_two_teams(session)
        d = demo(session)
        members = demo(session)
        duty.create_rotation(
            session,
            team=team2,
            key="t2",
            name="二队值班",
            members=[zhangsan, members["m2"]],
            start_date=TODAY,
            now=now,
        )
        for team, title in ((d.team, "一队的事"), (team2, "二队的事")):
            actions.create(
                session,
                team=team,
                requester=d["admin"] if team is d.team else members["boss2"],
                owner=zhangsan,
                title=title,
                due_at=now + timedelta(days=3),
                now=now,
            )
    return chat


def _facts(chat: ChatDriver) -> dict[str, object]:
    """张三 as stored: active, his teams, the rotations he is in a week ahead, his items' owners."""
    later = chat.runtime.clock() + timedelta(days=7)
    with chat.runtime.factory() as session:
        d = demo(session)
        zhangsan = d["zhangsan"]
        teams = {r.team_id for r in people.memberships(session, member=zhangsan)}
        rotations = set()
        for team in team_service.get_teams(session, workspace_id=d.workspace.id):
            for rotation in duty.rotations(session, team=team):
                version = CompiledRotation(duty.current_spec(session, team, rotation)).version_at(
                    later
                )
                if version is not None and zhangsan.id in version.member_ids:
                    rotations.add(rotation.name)
        owners = {
            item.title: item.owner_id == zhangsan.id
            for item in session.scalars(select(ActionItem).order_by(ActionItem.id))
            if item.title in ("一队的事", "二队的事")
        }
        return {
            "active": zhangsan.active,
            "teams": teams,
            "rotations": rotations,
            "owns": owners,
        }


def test_one_teams_admin_takes_the_person_out_of_that_team_only(both: ChatDriver) -> None:
    chat = both
    before = _facts(chat)
    assert before["rotations"] == {"技术", "二队值班"}, before
    assert before["owns"] == {"一队的事": True, "二队的事": True}
    reply = chat.text("/停用成员 @zhangsan", as_="boss2")
    assert "已把 张三 移出「第二团队」" in reply, reply
    assert "TA 仍在「开发者社区」，账号继续启用" in reply
    after = _facts(chat)
    assert after["active"] is True
    assert after["teams"] == {1}
    # team 2's rotation and item are handled as a leaver's; team 1's are untouched
    assert after["rotations"] == {"技术"}, after
    assert after["owns"] == {"一队的事": True, "二队的事": False}, after
    # he still works in team 1
    assert "张三" in chat.text("/我是谁", as_="zhangsan")


def test_a_date_is_refused_when_only_some_teams_are_left(both: ChatDriver) -> None:
    chat = both
    before = _facts(chat)
    reply = chat.text("/停用成员 @zhangsan 2026-12-20", as_="boss2")
    assert "不能按日期安排" in reply and "这次没有改动" in reply, reply
    assert _facts(chat) == before


def test_the_admin_of_every_team_still_deactivates_the_person(both: ChatDriver) -> None:
    chat = both
    # admin runs the default team: the workspace's people
    reply = chat.text("/停用成员 @zhangsan", as_="admin")
    assert "已停用 张三" in reply, reply
    after = _facts(chat)
    assert after["active"] is False
    assert after["rotations"] == set(), after


def test_rest_and_the_page_take_the_same_path(both: ChatDriver) -> None:
    chat = both
    with chat.runtime.factory() as session:
        zhangsan = demo(session)["zhangsan"].id
        team2 = _team2(session).id
    with signed_in(chat.runtime, "boss2") as http:
        answer = http["boss2"].delete(f"/api/v1/members/{zhangsan}")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["active"] is True and set(body["teams"]) == {"1"}, body
    assert _facts(chat)["rotations"] == {"技术"}
    # the page: back into team 2, then out again through the members form
    with transaction(chat.runtime.factory) as session:
        team_service.set_role(
            session, team=_team2(session), member=demo(session)["zhangsan"], role=Role.MEMBER
        )
    with signed_in(chat.runtime, "boss2") as http:
        answer = http["boss2"].post(
            f"/team/members/{zhangsan}/deactivate", params={"team": team2}, data={}
        )
        assert answer.status_code in (200, 303), answer.text
    after = _facts(chat)
    assert after["active"] is True and after["teams"] == {1}


def test_merge_by_one_teams_admin_is_refused_when_a_record_is_elsewhere(
    both: ChatDriver,
) -> None:
    """The dropped record 张三 is in team 1 too: boss2's merge would have moved that
    membership (and his identities) to m2."""
    chat = both
    with chat.runtime.factory() as session:
        d = demo(session)
        into, source, team2 = d["m2"].id, d["zhangsan"].id, _team2(session).id
    before = _facts(chat)
    with signed_in(chat.runtime, "boss2") as http:
        answer = http["boss2"].post(
            "/team/merge", params={"team": team2}, data={"into_id": into, "source_id": source}
        )
        assert answer.status_code == 403, answer.text
        # the reason fits either record, the kept one too (tester F9, session 20)
        message = answer.json()["message"]
        assert "「张三」也在「开发者社区」" in message and "合成一条" in message, message
        rest = http["boss2"].post(f"/api/v1/members/{into}/merge", json={"source_id": source})
        assert rest.status_code == 403, rest.text
    refused = chat.text("/合并成员 @二队成员 @zhangsan", as_="boss2")
    assert "「张三」也在「开发者社区」" in refused and "这次没有改动" in refused, refused
    assert _facts(chat) == before
    with chat.runtime.factory() as session:
        m2 = demo(session)["m2"]
        assert {r.team_id for r in people.memberships(session, member=m2)} == {team2}


def test_merge_within_the_admins_own_team_still_works(both: ChatDriver) -> None:
    chat = both
    with chat.runtime.factory() as session:
        d = demo(session)
        into, source, team2 = d["m2"].id, d["m3"].id, _team2(session).id
    with signed_in(chat.runtime, "boss2") as http:
        # the merge form offers only people boss2 may merge: 第二团队's alone, not 张三 (also
        # in team 1) nor the rest of the workspace (tester F9, session 20)
        page = http["boss2"].get("/team/members", params={"team": team2})
        form = page.text[page.text.index('name="into_id"') : page.text.index('name="source_id"')]
        offered = set(re.findall(r"@([a-z0-9]+)</option>", form))
        assert offered == {"boss2", "m2", "m3"}, offered
        answer = http["boss2"].post(
            "/team/merge", params={"team": team2}, data={"into_id": into, "source_id": source}
        )
        assert answer.status_code in (200, 303), answer.text
    with chat.runtime.factory() as session:
        assert demo(session)["m3"].merged_into_id == into


def test_what_every_team_sees_needs_an_admin_of_every_team(both: ChatDriver) -> None:
    """Tester F1 (session 20): with ``/添加成员`` able to add anyone of the workspace, boss2
    (admin of 第二团队 alone) added people and then renamed them, set their 称呼 and made himself
    their manager, seen in 开发者社区 too. Name, 称呼, handle and manager need an admin of every
    team of the person; boss2 may still change 张三's role and leave him in 第二团队."""
    chat = both
    with chat.runtime.factory() as session:
        d = demo(session)
        zhangsan, team2 = d["zhangsan"].id, _team2(session).id
        before = (d["zhangsan"].display_name, d["zhangsan"].address_as, d["zhangsan"].manager_id)
    for text in (
        "/改名 @zhangsan 张三丰",
        "/设置称呼 @zhangsan 张总",
        "/设置上级 @zhangsan @boss2",
    ):
        refused = chat.text(text, as_="boss2")
        assert "也在「开发者社区」" in refused and "这次没有改动" in refused, (text, refused)
    with signed_in(chat.runtime, "boss2") as http:
        for body in ({"display_name": "张三丰"}, {"address_as": "张总"}, {"handle": "zs3"}):
            answer = http["boss2"].patch(f"/api/v1/members/{zhangsan}", json=body)
            assert answer.status_code == 403, (body, answer.text)
        role = http["boss2"].patch(
            f"/api/v1/members/{zhangsan}", json={"role": "admin", "team_id": team2}
        )
        assert role.status_code == 200, role.text
    with chat.runtime.factory() as session:
        d = demo(session)
        after = (d["zhangsan"].display_name, d["zhangsan"].address_as, d["zhangsan"].manager_id)
        assert d["zhangsan"].handle == "zhangsan"
    assert after == before
    # the workspace's admin (of the default team) still renames him
    assert "张三丰" in chat.text("/改名 @zhangsan 张三丰", as_="admin")
