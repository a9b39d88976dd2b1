"""Issue 11, found by a fresh tester: a deactivated or merged-away member is never made the
object of a change — added to a rotation, set to cover a shift or take a swap, named someone's
manager, a team's leader or director. Chat and REST ask the same service check and change
nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.database import transaction
from teamassist.duty.models import Rotation
from teamassist.enums import Role
from teamassist.runtime import Runtime
from teamassist.team import people
from teamassist.team.models import Member
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.duty.helpers import snapshot
from tests.outreach.support import set_up_groups
from tests.support.chat import ChatDriver
from tests.support.web import sign_in
from tests.team.support import demo

NOW = datetime(2026, 6, 1, 2, tzinfo=UTC)
GONE = "「离开的人」已经停用，请先重新启用。"
MERGED = "「重复的人」已经合并到其他成员，不能再操作。"


@pytest.fixture
def rt(sqlite_runtime: Runtime) -> Runtime:
    """The demo, with 离开的人 (deactivated) and 重复的人 (merged into 李华), both leads."""
    load_demo(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        d = demo(session)
        for handle, name in (("gone", "离开的人"), ("twin", "重复的人")):
            people.add_member(
                session,
                workspace=d.workspace,
                team=d.team,
                handle=handle,
                display_name=name,
                role=Role.LEAD,
            )
        d = demo(session)
        people.deactivate(session, member=d["gone"], now=NOW)
        people.merge(session, into=d["lihua"], source=d["twin"], now=NOW, by=None)
    return sqlite_runtime


def _org(rt: Runtime) -> tuple[int | None, int | None, dict[str, int | None]]:
    with rt.factory() as session:
        d = demo(session)
        managers = {h: m.manager_id for h, m in d.people.items()}
        return d.team.leader_id, d.team.director_id, managers


@pytest.mark.parametrize(
    "command",
    [
        "/值班人员增加 @{who}",
        "/值班代班 @{who} 2026-06-05",
        "/值班换班 @zhangsan 2026-06-05 @{who}",
        "/设置上级 @zhangsan @{who}",
        "/设置上级 @{who} @zhangsan",  # the line of someone gone (a tester's find)
        "/设定职级 @{who} P2",  # a current level for someone gone (a tester's find)
        "/任命负责人 @{who}",
        "/指派反馈 3 @{who}",  # the demo's open item, left with someone gone (a tester's find)
        "/设置角色 @{who} 管理员",  # an admin who left (a tester's find)
        "/发起360 @{who} 2026-06-20",  # a round for someone gone blocked the team's next
    ],
)
@pytest.mark.parametrize(("who", "reply"), [("gone", GONE), ("twin", MERGED)])
def test_chat_refuses_an_inactive_member_as_the_object(
    rt: Runtime, command: str, who: str, reply: str
) -> None:
    before, org_before = snapshot(rt), _org(rt)
    assert ChatDriver(rt).text(command.format(who=who), as_="admin") == reply
    assert (snapshot(rt), _org(rt)) == (before, org_before)


@pytest.fixture
def api(rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(rt, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        yield client


@pytest.mark.parametrize("who", ["gone", "twin"])
def test_a_notice_naming_someone_who_left_is_refused(rt: Runtime, who: str) -> None:
    # Given the team's groups; when the director @s someone gone in a /通知 with a deadline
    # (they would get no DM and no item: the tester's notice dropped them without a word)
    set_up_groups(rt)
    chat = ChatDriver(rt)
    before = len(chat.queued())
    reply = chat.text(f"/通知 产品核心群 @{who} 请提交预算 截止 2026-06-04 18:00", as_="lihua")
    # Then nothing is sent and the reply names them
    name = "离开的人" if who == "gone" else "重复的人"
    assert f"「{name}」已经停用或合并到其他成员" in reply and "本次没有发送任何内容" in reply
    assert len(chat.queued()) == before


@pytest.mark.parametrize(("who", "reply"), [("gone", GONE), ("twin", MERGED)])
def test_rest_refuses_an_inactive_member_as_the_object(
    rt: Runtime, api: TestClient, who: str, reply: str
) -> None:
    with rt.factory() as session:
        d = demo(session)
        target, team_id = d[who].id, d.team.id
        zhangsan = d["zhangsan"].id
        tech = session.scalar(select(Rotation.id).where(Rotation.key == "tech"))
    before, org_before = snapshot(rt), _org(rt)
    cover = {"start": "2026-06-05T03:00:00+08:00", "end": "2026-06-06T03:00:00+08:00"}
    refused = [
        api.post(
            f"/api/v1/duty/rotations/{tech}/changes", json={"action": "add", "member_ids": [target]}
        ),
        api.post(f"/api/v1/duty/rotations/{tech}/overrides", json={**cover, "member_id": target}),
        api.post(
            f"/api/v1/duty/teams/{team_id}/rotations",
            json={
                "key": "new",
                "name": "新轮值",
                "member_ids": [target],
                "start_date": "2026-06-05",
            },
        ),
        api.patch(f"/api/v1/members/{zhangsan}", json={"manager_id": target}),
        api.patch(f"/api/v1/teams/{team_id}", json={"leader_id": target}),
        api.patch(f"/api/v1/teams/{team_id}", json={"director_id": target}),
    ]
    answers = [(r.status_code, r.json().get("message")) for r in refused]
    assert answers == [(409, reply)] * len(refused)
    assert (snapshot(rt), _org(rt)) == (before, org_before)
    with rt.factory() as session:
        assert session.scalar(select(Rotation.id).where(Rotation.key == "new")) is None


def test_an_active_member_is_still_accepted(rt: Runtime) -> None:
    with transaction(rt.factory) as session:
        d = demo(session)
        people.reactivate(session, member=d["gone"], now=NOW)
    chat = ChatDriver(rt)
    assert "离开的人" in chat.text("/设置上级 @zhangsan @gone", as_="admin")
    with rt.factory() as session:
        gone = session.scalar(select(Member).where(Member.handle == "gone"))
        zhangsan = session.scalar(select(Member).where(Member.handle == "zhangsan"))
        assert gone is not None and zhangsan is not None
        assert zhangsan.manager_id == gone.id


def test_a_member_who_left_made_a_plain_member_again_is_told_nothing_changed(
    rt: Runtime,
) -> None:
    """A lead who left may be tidied down to a plain member; asking for it again used to
    answer "已把…设为成员" although nothing changed (a tester's find, session 11)."""
    chat = ChatDriver(rt)
    # When the admin makes 离开的人 (a lead) a plain member, it is done
    assert (
        chat.text("/设置角色 @gone 成员", as_="admin")
        == "已把 @离开的人 在「开发者社区」的角色设为成员。"
    )
    before = snapshot(rt)
    # and asked again, the reply says it already was, and nothing changes
    assert chat.text("/设置角色 @gone 成员", as_="admin") == (
        "@离开的人 在「开发者社区」的角色本来就是成员，没有改动。"
    )
    assert snapshot(rt) == before
