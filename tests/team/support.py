"""Helpers of the people tests: the demo workspace in a session, and a second workspace."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.runtime import Runtime
from teamassist.team import org
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team, Workspace


@dataclass
class Demo:
    """The demo workspace as one session sees it (admin 王管理, lead 李华, members...)."""

    session: Session
    workspace: Workspace
    team: Team
    people: dict[str, Member]

    def __getitem__(self, handle: str) -> Member:
        return self.people[handle]


def demo(session: Session) -> Demo:
    workspace = team_service.get_workspace_by_key(session, key="demo")
    assert workspace is not None
    team = team_service.default_team(session, workspace_id=workspace.id)
    members = {m.handle: m for m in team_service.get_members(session, workspace_id=workspace.id)}
    return Demo(session, workspace, team, members)


def other_workspace(session: Session) -> tuple[Workspace, Team, Member]:
    """A second workspace with one admin, 外人."""
    workspace = team_service.create_workspace(session, key="other", name="别的社区")
    team = team_service.create_team(
        session, workspace=workspace, key="main", name="别的团队", timezone="Asia/Shanghai"
    )
    admin = team_service.create_member(
        session,
        workspace=workspace,
        handle="outsider",
        display_name="外人",
        team=team,
        role=Role.ADMIN,
    )
    return workspace, team, admin


def second_team(session: Session) -> Team:
    """The tester's second team in the demo workspace (s18 F20/F26): 第二团队 with its own admin
    boss2 (二号老板, in no other team) and members m2 (二队成员) and m3 (二队三号)."""
    d = demo(session)
    team = team_service.create_team(
        session, workspace=d.workspace, key="team2", name="第二团队", timezone="Asia/Shanghai"
    )
    for handle, name, role in (
        ("boss2", "二号老板", Role.ADMIN),
        ("m2", "二队成员", Role.MEMBER),
        ("m3", "二队三号", Role.MEMBER),
    ):
        team_service.create_member(
            session, workspace=d.workspace, handle=handle, display_name=name, team=team, role=role
        )
    return team


def second_team_with_web_room(session: Session) -> Team:
    """:func:`second_team` with a web channel of its own, 运维频道 at ``ops-room`` (the team's
    duty channel in testers' s24 reports), beside the demo's ``duty-room`` of 开发者社区."""
    team = second_team(session)
    team_service.create_channel(
        session,
        workspace=team.workspace,
        platform="web",
        address="ops-room",
        purpose="internal",
        name="运维频道",
        team=team,
    )
    session.flush()
    return team


def zhangsan_in_two_teams(session: Session) -> tuple[Team, Member]:
    """:func:`second_team`, with the demo's 张三 (already in 开发者社区) a member of it too: the
    person in two teams of testers s18–s21. Returns 第二团队 and 张三."""
    team = second_team(session)
    zhangsan = demo(session)["zhangsan"]
    team_service.set_role(session, team=team, member=zhangsan, role=Role.MEMBER)
    return team, zhangsan


def second_team_admin(runtime: Runtime, handle: str) -> int:
    """A team 二组 beside the demo team, ``handle`` its admin (and still in the demo team)."""
    with transaction(runtime.factory) as session:
        d = demo(session)
        team = org.create_sub_team(
            session, workspace=d.workspace, parent=None, key="t2", name="二组"
        )
        team_service.set_role(session, team=team, member=d[handle], role=Role.ADMIN)
        return team.id
