"""A team's name is the workspace's once, as people read it (tester F-15, session 25: four
teams called 「第二团队」, 「ＡＢＣ」 and 「abc」 side by side), on every backend."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.events import StoredDoubles, ask
from teamassist.exceptions import Conflict
from teamassist.i18n import t
from teamassist.runtime import Runtime
from teamassist.team import choice, org
from teamassist.team import service as team_service
from teamassist.team.models import Team
from teamassist.team.workspaces import add_team
from tests.team.support import demo


def _names(runtime: Runtime) -> list[str]:
    with runtime.factory() as session:
        return list(session.scalars(select(Team.name).order_by(Team.id)))


@pytest.mark.parametrize("again", ["开发者社区", "开发者社区 ", " 开发者社区"])
def test_the_cli_s_team_add_refuses_a_name_the_workspace_has(
    demo_runtime: Runtime, again: str
) -> None:
    before = _names(demo_runtime)
    with transaction(demo_runtime.factory) as session, pytest.raises(Conflict) as refused:
        add_team(session, workspace=demo(session).workspace, name=again, timezone="UTC")
    said = t(refused.value.key, **refused.value.params)
    assert "已经有团队「开发者社区」（#1）" in said and "没有添加团队" in said, said
    assert _names(demo_runtime) == before


def test_case_width_and_blanks_make_no_other_name(demo_runtime: Runtime) -> None:
    with transaction(demo_runtime.factory) as session:
        d = demo(session)
        add_team(session, workspace=d.workspace, name="ＡＢＣ  Team", timezone="UTC")
    for name in ("abc team", "ABC TEAM", "abc\u3000team"):
        with transaction(demo_runtime.factory) as session, pytest.raises(Conflict):
            add_team(session, workspace=demo(session).workspace, name=name, timezone="UTC")
    with transaction(demo_runtime.factory) as session:  # as REST's POST /api/v1/teams does
        d = demo(session)
        with pytest.raises(Conflict):
            org.create_sub_team(
                session, workspace=d.workspace, parent=None, key="dup2", name="abc Team"
            )
        org.create_sub_team(
            session, workspace=d.workspace, parent=None, key="abc2", name="abc Team 2"
        )
    assert _names(demo_runtime) == ["开发者社区", "ＡＢＣ Team", "abc Team 2"]


def test_another_workspace_may_use_the_name(demo_runtime: Runtime) -> None:
    with transaction(demo_runtime.factory) as session:
        other = team_service.create_workspace(session, key="other", name="别的社区")
        team = team_service.create_team(
            session, workspace=other, key="main", name="开发者社区", timezone="UTC"
        )
        assert team.name == "开发者社区"


@pytest.mark.parametrize(
    "again", ["前 端 组", "前　端　组", " 前端 组", "前端\u200b组", "前 端\t组"]
)
def test_spaces_between_the_characters_make_no_other_name(
    demo_runtime: Runtime, again: str
) -> None:
    """Tester s26 A-4: 「前 端 组」 was a second team beside 「前端组」 while the refusal of
    「前端组 」 said spaces count as the same name."""
    with transaction(demo_runtime.factory) as session:
        d = demo(session)
        org.create_sub_team(session, workspace=d.workspace, parent=None, key="fe", name="前端组")
    before = _names(demo_runtime)
    with transaction(demo_runtime.factory) as session, pytest.raises(Conflict) as refused:
        d = demo(session)
        org.create_sub_team(session, workspace=d.workspace, parent=None, key="k1", name=again)
    said = t(refused.value.key, **refused.value.params)
    assert "已经有团队「前端组」" in said and "只差大小写、全角半角或空格" in said, said
    assert _names(demo_runtime) == before == ["开发者社区", "前端组"]


def test_a_team_is_chosen_by_its_name_typed_with_spaces(demo_runtime: Runtime) -> None:
    with transaction(demo_runtime.factory) as session:
        d = demo(session)
        team = org.create_sub_team(
            session, workspace=d.workspace, parent=None, key="fe", name="前端组"
        )
        team_service.set_role(session, team=team, member=d["zhangsan"], role=Role.MEMBER)
    with transaction(demo_runtime.factory) as session:
        chosen = choice.choose(session, member=demo(session)["zhangsan"], name="前 端 组")
        assert chosen.team.name == "前端组"


def test_teams_stored_before_under_one_spaced_name_are_listed_by_doctor(
    demo_runtime: Runtime,
) -> None:
    """Teams made before the rule are not merged nor renamed: ``teamassist doctor`` names them."""
    with transaction(demo_runtime.factory) as session:
        d = demo(session)
        stored = [
            Team(workspace_id=d.workspace.id, key=key, name=name, settings={})
            for key, name in (("fe", "前端组"), ("k1", "前 端 组"), ("core2", "Core Team"))
        ]
        session.add_all(stored)
        session.flush()
        ids = tuple(team.id for team in stored[:2])
    with transaction(demo_runtime.factory, read_only=True) as session:
        found = [d for answer in ask(session, StoredDoubles()) for d in answer]
    assert [(d.kind, d.ids) for d in found] == [("team.name", ids)]
    assert "「前端组」" in found[0].line and "「前 端 组」" in found[0].line
    assert _names(demo_runtime) == ["开发者社区", "前端组", "前 端 组", "Core Team"]
