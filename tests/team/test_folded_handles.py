"""Issue 11, found by a tester: handles folded only ASCII case on SQLite, so ``Änne`` and
``änne`` (or ``Ωmega`` and ``ωmega``) could both exist in one workspace, and lookups differed
by backend. Handles and team keys now compare through ``names.fold`` (NFKC + casefold), held
in a column with a unique constraint, on every backend."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.exceptions import Conflict
from teamassist.runtime import Runtime
from teamassist.team import org, people
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.names import fold
from teamassist.team.workspaces import Founding, found


def test_fold_is_nfkc_and_full_case_folding() -> None:
    assert fold("Änne") == fold("änne") == "änne"
    assert fold("Ωmega") == fold("ωmega") == "ωmega"
    assert fold("ＮＥＷ") == "new"
    assert fold("Straße") == fold("STRASSE") == "strasse"
    assert fold("Ａ\u0308nne") == "änne"  # decomposed and full-width: composed, folded
    assert fold("阿尔法") == "阿尔法"
    assert fold("anne") != fold("änne")  # accents stay: they are different names


@pytest.mark.parametrize(
    ("first", "second"),
    [("Änne", "änne"), ("Ωmega", "ωmega"), ("STRASSE", "straße"), ("ＢＯＳＳ", "boss")],
)
def test_handles_differing_only_by_case_are_one_person_on_every_backend(
    runtime: Runtime, first: str, second: str
) -> None:
    with transaction(runtime.factory) as session:
        ws = team_service.create_workspace(session, key="w", name="社区")
        team = team_service.create_team(
            session, workspace=ws, key="core", name="团队", timezone="Asia/Shanghai"
        )
        added = people.add_member(session, workspace=ws, team=team, handle=first, display_name="甲")
        other = people.add_member(
            session, workspace=ws, team=team, handle="other", display_name="乙"
        )
        ids = (ws.id, team.id, added.id, other.id)
    ws_id, team_id, added_id, other_id = ids
    with runtime.factory() as session:
        ws_row = team_service.get_workspace_by_key(session, key="w")
        team_row = session.get(Team, team_id)
        assert ws_row is not None and team_row is not None
        with pytest.raises(Conflict) as taken:
            people.add_member(
                session, workspace=ws_row, team=team_row, handle=second, display_name="丙"
            )
        assert taken.value.key == "people.error.handle_taken"
        other_row = session.get(Member, other_id)
        assert other_row is not None
        with pytest.raises(Conflict):
            people.rename_handle(session, member=other_row, handle=second, now=runtime.clock())
        session.rollback()
        found_ = team_service.get_member_by_handle(session, workspace_id=ws_id, handle=second)
        assert found_ is not None and found_.id == added_id
    # Two writers that both passed the check (a race) meet the unique constraint.
    with pytest.raises(IntegrityError), transaction(runtime.factory) as session:
        session.add(Member(workspace_id=ws_id, handle=second, display_name="丁"))
        session.flush()
    with runtime.factory() as session:
        assert session.scalar(select(Member.handle).where(Member.id == added_id)) == (
            people.check_handle(first)
        )


def test_team_keys_fold_too(runtime: Runtime) -> None:
    with transaction(runtime.factory) as session:
        ws = team_service.create_workspace(session, key="w", name="社区")
        org.create_sub_team(session, workspace=ws, parent=None, key="Équipe", name="团队甲")
        with pytest.raises(Conflict) as taken:
            org.create_sub_team(session, workspace=ws, parent=None, key="équipe", name="团队乙")
        assert taken.value.key == "people.error.team_key_taken"
    with pytest.raises(IntegrityError), transaction(runtime.factory) as session:
        ws_id = team_service.get_workspace_by_key(session, key="w")
        assert ws_id is not None
        session.add(Team(workspace_id=ws_id.id, key="ÉQUIPE", name="丙", settings={}))
        session.flush()


def test_setup_folds_the_admin_handle_and_the_workspace_name(runtime: Runtime) -> None:
    with transaction(runtime.factory) as session:
        done = found(
            session,
            Founding(workspace_name="Ωmega Club", team_name="核心", admin_handle="ＢＯＳＳ"),
            password_hash="x",
        )
        assert done.admin.handle == "BOSS" and done.admin.handle_key == "boss"
        team_service.create_member(
            session,
            workspace=done.workspace,
            handle="新人",
            display_name="新人",
            team=done.team,
            role=Role.MEMBER,
        )
    with runtime.factory() as session, pytest.raises(Conflict) as same:
        found(
            session,
            Founding(workspace_name="ωMEGA club", team_name="核心", admin_handle="boss2"),
            password_hash="x",
        )
    assert same.value.key == "setup.error.workspace_exists"
