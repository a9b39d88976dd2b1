"""`teamassist import bot-onduty --team KEY` into an existing workspace names one of its teams; a
team it lacks is refused (how to make one said), never made from a key with no admin beside the
real one. A workspace the import makes gets its first team as any new team is made."""

from __future__ import annotations

import pytest

from teamassist.database import transaction
from teamassist.importers import bot_onduty
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from tests.conftest import load_demo


def test_a_team_the_workspace_lacks_is_refused(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    now = sqlite_runtime.clock()
    with transaction(sqlite_runtime.factory) as session:
        teams_before = len(team_service.get_teams(session, workspace_id=1))
        with pytest.raises(bot_onduty.ImportFailed) as refused:
            bot_onduty.import_snapshot(
                session, bot_onduty.Snapshot(), workspace_key="demo", team_key="ops", now=now
            )
        message = str(refused.value)
        assert message.startswith("工作区「demo」里没有团队「ops」"), message
        assert "teamassist team add <团队名> --workspace demo" in message
        assert "这次没有导入任何内容" in message and "开发者社区（" in message
        assert len(team_service.get_teams(session, workspace_id=1)) == teams_before


def test_a_team_is_named_as_every_team_option_names_it(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    now = sqlite_runtime.clock()
    with transaction(sqlite_runtime.factory) as session:
        default = team_service.default_team(session, workspace_id=1)
        found = f"导入到工作区「demo」的团队「{default.name}」（{default.key}，#{default.id}）："
        for ref in (default.key.upper(), default.name, f"#{default.id}", f"＃{default.id}"):
            report = bot_onduty.import_snapshot(
                session, bot_onduty.Snapshot(), workspace_key="demo", team_key=ref, now=now
            )
            # the team found, not the value as typed (tester s29 G-6: 「#3」, 「３」)
            assert report.lines()[0] == found, (ref, report.lines()[0])
        assert len(team_service.get_teams(session, workspace_id=1)) == 1


def test_a_new_workspace_gets_its_first_team(sqlite_runtime: Runtime) -> None:
    now = sqlite_runtime.clock()
    with transaction(sqlite_runtime.factory) as session:
        bot_onduty.import_snapshot(
            session, bot_onduty.Snapshot(), workspace_key="seed", team_key="值班组", now=now
        )
        workspace = team_service.get_workspace_by_key(session, key="seed")
        assert workspace is not None
        (team,) = team_service.get_teams(session, workspace_id=workspace.id)
        # the key derived from the name, as `teamassist team add` derives it
        assert (team.name, team.key) == ("值班组", "zhi-ban-zu")
