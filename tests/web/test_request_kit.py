"""The shared request kit: one team lookup (TeamDep), one admin check, one id->member map and
one CSV writer, each tested once here instead of in every router that uses it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, time

import pytest
from fastapi.testclient import TestClient

from teamassist.csvfile import BOM, safe_cell, write_csv
from teamassist.database import transaction
from teamassist.duty import fairness
from teamassist.enums import Role
from teamassist.exceptions import PermissionDenied
from teamassist.http.auth import Principal, is_admin
from teamassist.http.errors import require_admin
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import sign_in


@pytest.fixture
def demo(sqlite_runtime: Runtime) -> Runtime:
    load_demo(sqlite_runtime)
    return sqlite_runtime


@pytest.fixture
def api(demo: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(demo, start_background=False)) as client:
        sign_in(client)
        yield client


# -- TeamDep -------------------------------------------------------------------------------------


def test_team_from_the_path_the_query_or_the_default(api: TestClient, demo: Runtime) -> None:
    with demo.factory() as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team_id = team_service.default_team(session, workspace_id=workspace.id).id
    assert api.get(f"/api/v1/duty/teams/{team_id}/rotations").status_code == 200
    assert api.get("/api/v1/duty/feeds", params={"team_id": team_id}).status_code == 200
    assert api.get("/api/v1/duty/feeds").status_code == 200  # no team named: the default team
    for response in (
        api.get("/api/v1/duty/teams/99999/rotations"),
        api.get("/api/v1/duty/feeds", params={"team_id": 99999}),
        api.get("/duty", params={"team": 99999}),
    ):
        assert response.status_code == 404, response.text
    assert api.get("/api/v1/duty/teams/99999/rotations").json()["error"] == "core.error.no_team"


def test_another_workspaces_team_is_not_found(api: TestClient, demo: Runtime) -> None:
    with transaction(demo.factory) as session:
        other = team_service.create_workspace(session, key="other", name="Other")
        foreign = team_service.create_team(
            session, workspace=other, key="x", name="X", timezone="Asia/Shanghai"
        )
        foreign_id = foreign.id
    response = api.get(f"/api/v1/duty/teams/{foreign_id}/schedule")
    assert response.status_code == 404 and response.json()["error"] == "core.error.no_team"


# -- the admin check -----------------------------------------------------------------------------


def test_one_admin_check_for_pages_and_endpoints(demo: Runtime) -> None:
    with transaction(demo.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = team_service.default_team(session, workspace_id=workspace.id)
        admin = team_service.create_member(
            session,
            workspace=workspace,
            handle="kit-admin",
            display_name="管理员甲",
            team=team,
            role=Role.ADMIN,
        )
        member = team_service.create_member(
            session, workspace=workspace, handle="kit-member", display_name="成员乙", team=team
        )
        outsider = team_service.create_member(
            session, workspace=workspace, handle="kit-outsider", display_name="外人丙"
        )
        cases = {
            "token": (Principal(workspace, None, "api"), True),
            "admin": (Principal(workspace, admin, "a"), True),
            "member": (Principal(workspace, member, "m"), False),
            "outsider": (Principal(workspace, outsider, "o"), False),
        }
        for name, (principal, expected) in cases.items():
            assert is_admin(session, principal, team) is expected, name
            if expected:
                require_admin(session, principal, team)
            else:
                with pytest.raises(PermissionDenied):
                    require_admin(session, principal, team)


# -- one id -> member map ------------------------------------------------------------------------


def test_members_by_id_skips_none_and_unknown_ids(demo: Runtime) -> None:
    with demo.factory() as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        people = team_service.get_members(session, workspace_id=workspace.id)[:2]
        ids = [people[0].id, None, people[1].id, 987654]
        found = team_service.members_by_id(session, ids)
        assert set(found) == {people[0].id, people[1].id}
        assert found[people[0].id] is people[0]
        assert team_service.names_by_id(session, ids) == {p.id: p.display_name for p in people}
        assert team_service.members_by_id(session, [None]) == {}


# -- one CSV writer ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+86 123", "'+86 123"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        (3, "3"),
        (None, ""),
    ],
)
def test_cells_never_run_as_formulas(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_csv_starts_with_one_bom_and_round_trips() -> None:
    text = write_csv(["名字", "次数"], [["张三", 2], ["=cmd", None]])
    assert text.startswith(BOM) and not text.startswith(BOM * 2)
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert rows == [["名字", "次数"], ["张三", "2"], ["'=cmd", ""]]


def test_fairness_csv_is_formula_safe() -> None:
    person = fairness.PersonFairness(member_id=1)
    report = fairness.FairnessReport(
        first=date(2026, 6, 1),
        last=date(2026, 6, 30),
        late_after=time(10),
        people=[person],
        balance=None,
    )
    named = Member(workspace_id=1, handle="x", display_name='=HYPERLINK("http://x")')
    text = fairness.to_csv(report, {1: named})
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert text.startswith(BOM)
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
