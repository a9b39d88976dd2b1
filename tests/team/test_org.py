"""Organisation rules: sub-teams without cycles, leaders, managers without cycles, the core
group, and the director granted by an admin, welcomed once on Feishu by their 称呼."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from teamassist.chat.render import to_plain
from teamassist.chat.types import Reply
from teamassist.database import transaction
from teamassist.enums import Platform, Role
from teamassist.exceptions import Conflict, NotFound, PermissionDenied
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team import org, people
from teamassist.team import service as team_service
from teamassist.team.models import Team
from tests.duty.helpers import at_local
from tests.team.support import demo, other_workspace

NOW = at_local(date(2026, 6, 1), 9)


@pytest.fixture
def rt(demo_runtime: Runtime) -> Runtime:
    return demo_runtime


def _parent(team: Team) -> int | None:
    return team.parent_id  # read afresh (mypy would keep an earlier assert's narrowing)


def test_sub_teams_nest_and_never_form_a_cycle(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        front = org.create_sub_team(
            session, workspace=d.workspace, parent=d.team, key="front", name="前端组"
        )
        web = org.create_sub_team(
            session, workspace=d.workspace, parent=front, key="web", name="网页"
        )
        assert (front.parent_id, web.parent_id, web.timezone) == (
            d.team.id,
            front.id,
            "Asia/Shanghai",
        )
        with pytest.raises(Conflict) as cycle:
            org.set_parent(session, team=d.team, parent=web)
        assert cycle.value.key == "people.error.team_cycle"
        assert "网页" in cycle.value.message()
        with pytest.raises(Conflict):
            org.set_parent(session, team=front, parent=front)
        assert d.team.parent_id is None and front.parent_id == d.team.id
        # moving a sub-team elsewhere, and to the top level
        org.set_parent(session, team=web, parent=d.team)
        org.set_parent(session, team=front, parent=None)
        assert (_parent(web), _parent(front)) == (d.team.id, None)
        with pytest.raises(Conflict) as taken:
            org.create_sub_team(session, workspace=d.workspace, parent=None, key="front", name="x")
        assert taken.value.key == "people.error.team_key_taken"
        with pytest.raises(people.Invalid):
            org.create_sub_team(session, workspace=d.workspace, parent=None, key="a b", name="x")


def test_a_team_of_another_workspace_is_not_a_parent(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        _ws, elsewhere, outsider = other_workspace(session)
        with pytest.raises(NotFound):
            org.set_parent(session, team=d.team, parent=elsewhere)
        with pytest.raises(NotFound):
            org.set_leader(session, team=d.team, leader=outsider)
        with pytest.raises(NotFound):
            org.set_manager(session, member=d["lisi"], manager=outsider)


def test_leader_must_be_in_the_team(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        front = org.create_sub_team(
            session, workspace=d.workspace, parent=d.team, key="front", name="前端组"
        )
        with pytest.raises(NotFound) as outside:
            org.set_leader(session, team=front, leader=d["lisi"])
        assert outside.value.key == "people.error.not_in_team"
        team_service.set_role(session, team=front, member=d["lisi"], role=Role.LEAD)
        org.set_leader(session, team=front, leader=d["lisi"])
        assert front.leader_id == d["lisi"].id
        org.set_leader(session, team=front, leader=None)
        assert front.leader_id is None


def test_managers_never_form_a_circle(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        a, b, c = d["zhangsan"], d["lisi"], d["wangwu"]
        org.set_manager(session, member=a, manager=b)
        with pytest.raises(Conflict) as two:
            org.set_manager(session, member=b, manager=a)  # A→B→A
        assert two.value.key == "people.error.manager_cycle"
        org.set_manager(session, member=b, manager=c)
        with pytest.raises(Conflict):
            org.set_manager(session, member=c, manager=a)  # A→B→C→A
        with pytest.raises(people.Invalid) as own:
            org.set_manager(session, member=a, manager=a)
        assert own.value.key == "people.error.manager_self"
        assert (a.manager_id, b.manager_id, c.manager_id) == (b.id, c.id, None)
        org.set_manager(session, member=a, manager=None)
        assert a.manager_id is None


def test_core_group_flag(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        org.set_core(session, team=d.team, member=d["lihua"], core=True)
        assert people.membership(session, team=d.team, member=d["lihua"]).core is True
        org.set_core(session, team=d.team, member=d["lihua"], core=False)
        assert people.membership(session, team=d.team, member=d["lihua"]).core is False


def _welcomes(rt: Runtime) -> list[OutboxMessage]:
    with rt.factory() as session:
        return [
            r
            for r in session.scalars(select(OutboxMessage))
            if r.idempotency_key.startswith("people.director_welcome")
        ]


def test_director_is_granted_by_an_admin_to_a_lead_or_admin_only(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        with pytest.raises(Conflict) as member:
            org.grant_director(session, team=d.team, member=d["zhangsan"], by=d["admin"], now=NOW)
        assert member.value.key == "people.error.director_role"
        with pytest.raises(PermissionDenied) as own:
            org.grant_director(session, team=d.team, member=d["admin"], by=d["admin"], now=NOW)
        assert own.value.key == "people.error.director_self"
        assert d.team.director_id is None
        org.grant_director(session, team=d.team, member=d["lihua"], by=d["admin"], now=NOW)
        assert d.team.director_id == d["lihua"].id
        # no Feishu identity: no card, and the welcome is still owed
        assert d.team.director_welcomed_at is None
    assert _welcomes(rt) == []
    with transaction(rt.factory) as session:
        d = demo(session)
        org.revoke_director(session, team=d.team)
        assert d.team.director_id is None
        with pytest.raises(Conflict):
            org.revoke_director(session, team=d.team)


def test_feishu_director_gets_the_welcome_card_once_by_their_address(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        team_service.add_identity(
            session,
            member=d["lihua"],
            platform=Platform.FEISHU.value,
            user_key="ou_lihua",
            tenant_key="t1",
        )
        org.grant_director(session, team=d.team, member=d["lihua"], by=d["admin"], now=NOW)
        assert d.team.director_welcomed_at == NOW
        # granted again (and again after a manual 称呼 change): no second card
        org.grant_director(session, team=d.team, member=d["lihua"], by=d["admin"], now=NOW)
    [card] = _welcomes(rt)
    assert (card.platform, card.address) == ("feishu", "ou_lihua")
    reply = Reply.model_validate(card.payload)
    assert reply.title == "OKR助理 邀您激活团队OKR管理"
    assert reply.body.startswith("李总，您好")
    assert "我知晓并同意：激活后，OKR助理访问飞书数据，但仅存储配置信息。" in to_plain(reply)


def test_a_stored_address_is_used_in_the_welcome(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        team_service.add_identity(
            session, member=d["lihua"], platform=Platform.FEISHU.value, user_key="ou_lihua"
        )
        people.set_address_as(session, member=d["lihua"], address_as="华姐")
        org.grant_director(session, team=d.team, member=d["lihua"], by=d["admin"], now=NOW)
    [card] = _welcomes(rt)
    assert Reply.model_validate(card.payload).body.startswith("华姐，您好")


def test_tree_nests_teams_with_people_and_managers(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        front = org.create_sub_team(
            session, workspace=d.workspace, parent=d.team, key="front", name="前端组"
        )
        team_service.set_role(session, team=front, member=d["lisi"], role=Role.LEAD)
        org.set_leader(session, team=front, leader=d["lisi"])
        org.set_core(session, team=front, member=d["lisi"], core=True)
        org.set_manager(session, member=d["lisi"], manager=d["lihua"])
        _ws, _team, _outsider = other_workspace(session)
        workspace_id = d.workspace.id
        ids = {h: m.id for h, m in d.people.items()}
    with rt.factory() as session:
        found = org.tree(session, workspace_id=workspace_id)
        [root] = found.roots
        assert root.team.key == "community" and len(root.people) == 7
        [child] = root.children
        assert (child.team.name, child.leader and child.leader.handle) == ("前端组", "lisi")
        assert [(p.member.handle, p.role, p.core) for p in child.people] == [
            ("lisi", Role.LEAD, True)
        ]
        assert found.managers == {ids["lisi"]: ids["lihua"]}
        assert "outsider" not in {m.handle for m in found.members.values()}
        assert session.scalar(select(Team).where(Team.key == "main")) is not None
