"""The one rule of "the channels a person may read" (``team.service.readable_channels``),
asked by the /feeds page and ``GET /api/v1/channels`` (testers s24 F1, F12): the channels of
the teams one is in or directs, a channel of no team counted as the default team's, every
channel for the workspace owner; with ``team_id``, that team's only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from tests.conftest import load_demo
from tests.team.support import demo


def _addresses(session: Session, member: Member | None, team_id: int | None = None) -> set[str]:
    workspace_id = demo(session).workspace.id
    return {
        c.address
        for c in team_service.readable_channels(
            session, workspace_id=workspace_id, member=member, team_id=team_id
        )
    }


def test_readable_channels_follow_the_teams_one_is_in_or_directs(runtime: Runtime) -> None:
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        d = demo(session)
        ours = {c.address for c in team_service.channels(session, workspace_id=d.workspace.id)}
        two, three = (
            team_service.create_team(
                session, workspace=d.workspace, key=key, name=name, timezone="Asia/Shanghai"
            )
            for key, name in (("two", "二队"), ("three", "三队"))
        )
        for team, address in ((None, "lobby"), (two, "room-2"), (three, "room-3")):
            team_service.create_channel(
                session, workspace=d.workspace, platform="web", address=address,
                purpose="internal", team=team,
            )  # fmt: skip
        one_team = d["zhangsan"]  # the demo's default team only
        two_teams = team_service.create_member(
            session, workspace=d.workspace, handle="both", display_name="两队", team=two
        )
        team_service.set_role(session, team=three, member=two_teams, role=Role.MEMBER)
        no_team = team_service.create_member(
            session, workspace=d.workspace, handle="nobody", display_name="无队"
        )
        director = team_service.create_member(
            session, workspace=d.workspace, handle="dir3", display_name="三队负责人", team=two
        )
        three.director_id = director.id
        session.flush()

        default_rooms = ours | {"lobby"}  # a channel of no team is the default team's
        assert "lobby" not in ours and ours  # the demo's own channels are the default team's
        assert _addresses(session, one_team) == default_rooms
        assert _addresses(session, two_teams) == {"room-2", "room-3"}
        assert _addresses(session, no_team) == set()
        assert _addresses(session, director) == {"room-2", "room-3"}  # in two, directs three
        assert _addresses(session, None) == default_rooms | {"room-2", "room-3"}  # the owner
        assert _addresses(session, two_teams, team_id=three.id) == {"room-3"}
        assert _addresses(session, None, team_id=d.team.id) == default_rooms


def test_a_channel_of_no_team_belongs_to_the_first_team(runtime: Runtime) -> None:
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        d = demo(session)
        later: Team = team_service.create_team(
            session, workspace=d.workspace, key="later", name="后来", timezone="Asia/Shanghai"
        )
        lobby = team_service.create_channel(
            session, workspace=d.workspace, platform="web", address="lobby", purpose="internal"
        )
        own = team_service.create_channel(
            session, workspace=d.workspace, platform="web", address="own", purpose="internal",
            team=later,
        )  # fmt: skip
        assert team_service.channel_team_id(lobby, default=d.team) == d.team.id
        assert team_service.channel_team_id(own, default=d.team) == later.id
