"""The outreach tests' setting: the demo team with a director (李华), a core group chat
``产品核心群`` (张三, 李四 core) and a team group chat ``开发者大群``, on Feishu addresses."""

from __future__ import annotations

from teamassist.database import transaction
from teamassist.enums import ChannelPurpose
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import TeamMembership

CORE_CHAT = "oc_core"
TEAM_CHAT = "oc_team"


def ids(runtime: Runtime) -> dict[str, int]:
    """Handle → member id in the demo workspace."""
    with runtime.factory() as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        return {
            m.handle: m.id for m in team_service.get_members(session, workspace_id=workspace.id)
        }


def set_up_groups(runtime: Runtime, *, platform: str = "feishu", director: str = "lihua") -> None:
    """Give the demo team its director and its two group chats."""
    with transaction(runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = team_service.default_team(session, workspace_id=workspace.id)
        people = {m.handle: m for m in team_service.get_members(session, workspace_id=workspace.id)}
        team.director_id = people[director].id
        for row in session.query(TeamMembership).filter_by(team_id=team.id):
            row.core = row.member_id in (people["zhangsan"].id, people["lisi"].id)
        team_service.create_channel(
            session,
            workspace=workspace,
            platform=platform,
            address=CORE_CHAT,
            purpose=ChannelPurpose.CORE.value,
            name="产品核心群",
            team=team,
        )
        team_service.create_channel(
            session,
            workspace=workspace,
            platform=platform,
            address=TEAM_CHAT,
            purpose=ChannelPurpose.TEAM.value,
            name="开发者大群",
            team=team,
        )
