"""Two teams each with a chat of one name (tester s23b F8, HIGH): names are unique per team
only, so 第二团队 may have its own 开发者大群, yet /通知 and /群发 always took the first team's:
its admin was refused as if not allowed, and a person of both teams posted into the wrong
team. A group is now looked up in the acting team first (the chat's, the /切换团队 choice, the
home team; REST's ``team_id``), another team's only when the name is that one team's, and a
name several other teams share is refused naming them, nothing sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from teamassist.announcements.models import Announcement
from teamassist.database import transaction
from teamassist.enums import ChannelPurpose, Role
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.outreach.support import set_up_groups
from tests.support.chat import ChatDriver
from tests.support.web import signed_in
from tests.team.support import demo, second_team


@pytest.fixture
def teams(runtime: Runtime) -> Iterator[dict[str, int]]:
    """开发者社区 (its 开发者大群), 第二团队 with a 开发者大群 of its own, 第三团队 with none."""
    load_demo(runtime)
    set_clock(runtime, "2026-11-30 09:00")
    set_up_groups(runtime)
    with transaction(runtime.factory) as session:
        given = demo(session)
        two = second_team(session)
        team_service.create_channel(
            session,
            workspace=given.workspace,
            platform="feishu",
            address="oc_team2_all",
            purpose=ChannelPurpose.TEAM.value,
            name="开发者大群",
            team=two,
        )
        three = team_service.create_team(
            session,
            workspace=given.workspace,
            key="team3",
            name="第三团队",
            timezone="Asia/Shanghai",
        )
        made = {"one": given.team.id, "two": two.id, "three": three.id}
    yield made


def _last(runtime: Runtime) -> Announcement | None:
    with runtime.factory() as session:
        return session.scalars(select(Announcement).order_by(Announcement.id.desc())).first()


def test_each_team_reaches_its_own_group_of_a_shared_name(
    runtime: Runtime, teams: dict[str, int]
) -> None:
    chat = ChatDriver(runtime)
    # 第二团队's admin (in no other team) reaches 第二团队's 开发者大群
    reply = chat.text("/通知 开发者大群 二队的通知", as_="boss2")
    assert "已排队通知" in reply, reply
    sent = _last(runtime)
    assert sent is not None and sent.team_id == teams["two"]
    # 开发者社区's admin reaches 开发者社区's
    assert "已排队通知" in chat.text("/通知 开发者大群 一队的通知", as_="admin")
    sent = _last(runtime)
    assert sent is not None and sent.team_id == teams["one"]


def test_a_name_of_several_other_teams_is_refused_naming_them(
    runtime: Runtime, teams: dict[str, int]
) -> None:
    # 王管理 also administers 第三团队 (the team gate refuses a team one is not in, before
    # the group is looked up)
    with transaction(runtime.factory) as session:
        given = demo(session)
        three = team_service.get_team(
            session, workspace_id=given.workspace.id, team_id=teams["three"]
        )
        team_service.set_role(session, team=three, member=given["admin"], role=Role.ADMIN)
    with runtime.factory() as session:
        before = session.scalar(select(func.count()).select_from(Announcement)) or 0
    with signed_in(runtime, "admin") as clients:
        answer = clients["admin"].post(
            f"/api/v1/announcements?team_id={teams['three']}",
            json={"group": "开发者大群", "text": "三队的通知"},
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["message"].startswith(
            "有好几个团队都有叫「开发者大群」的群：开发者社区、第二团队。"
        ), answer.text
        # without team_id the caller's home team is meant: 开发者社区's
        home = clients["admin"].post(
            "/api/v1/announcements", json={"group": "开发者大群", "text": "一队的通知"}
        )
        assert home.status_code == 201 and home.json()["team_id"] == teams["one"], home.text
    with runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Announcement)) == before + 1
