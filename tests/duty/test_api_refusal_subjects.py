"""Duty REST refusals name the right subject (tester s26 A-5): another team's rotation is not
found (not 「「小红」不是本团队的成员」 of the caller herself), an unknown one lists the
caller's team's rotations (not 「现有的轮值：-」), and a taken key names the rotation holding
it (not the new one)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.database import transaction
from teamassist.duty import service as duty_service
from teamassist.duty.models import Rotation
from teamassist.http import auth
from teamassist.runtime import Runtime
from teamassist.team import org, people
from teamassist.team.models import Team
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.duty.helpers import snapshot
from tests.support.web import sign_in
from tests.team.support import demo


@pytest.fixture
def two_teams(sqlite_runtime: Runtime) -> Runtime:
    """The demo team (rotations 技术 and 产品) and 二组, whose only member 小红 is in no other
    team, with its own rotation 技术 (key tech)."""
    load_demo(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        d = demo(session)
        team = org.create_sub_team(
            session, workspace=d.workspace, parent=None, key="t2", name="二组"
        )
        xiaohong = people.add_member(
            session, workspace=d.workspace, team=team, handle="xiaohong", display_name="小红"
        )
        auth.set_password(session, username="xiaohong", password="secret-2", member=xiaohong)
        duty_service.create_rotation(
            session,
            team=team,
            key="tech",
            name="技术",
            members=[xiaohong],
            start_date=date(2026, 6, 1),
            now=sqlite_runtime.clock(),
        )
    return sqlite_runtime


def _client(runtime: Runtime, username: str, password: str) -> Iterator[TestClient]:
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client, username, password)
        yield client


@pytest.fixture
def xiaohong(two_teams: Runtime) -> Iterator[TestClient]:
    yield from _client(two_teams, "xiaohong", "secret-2")


def _demo_rotations(runtime: Runtime) -> dict[str, tuple[int, str]]:
    with runtime.factory() as session:
        d = demo(session)
        return {r.key: (r.id, r.name) for r in duty_service.rotations(session, team=d.team)}


def test_another_team_s_rotation_is_not_found_in_the_caller_s_team(
    two_teams: Runtime, xiaohong: TestClient
) -> None:
    theirs, _ = next(iter(_demo_rotations(two_teams).values()))
    before = snapshot(two_teams)
    refused = xiaohong.post("/api/v1/duty/feeds", json={"rotation_id": theirs})
    assert refused.status_code == 404, refused.text
    assert refused.json()["error"] == "duty.error.no_rotation"
    assert refused.json()["message"] == f"找不到轮值「{theirs}」，现有的轮值：技术。"
    assert "小红" not in refused.text
    unknown = xiaohong.post("/api/v1/duty/feeds", json={"rotation_id": 99999})
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "找不到轮值「99999」，现有的轮值：技术。"
    assert snapshot(two_teams) == before
    assert xiaohong.get("/api/v1/duty/feeds").json() == []
    # her own team's rotation still gives her a feed
    with two_teams.factory() as session:
        own = session.scalar(
            select(Rotation.id).join(Team, Team.id == Rotation.team_id).where(Team.key == "t2")
        )
    made = xiaohong.post("/api/v1/duty/feeds", json={"rotation_id": own})
    assert made.status_code == 201, made.text


def test_a_taken_key_names_the_rotation_that_holds_it(two_teams: Runtime) -> None:
    for admin in _client(two_teams, "admin", "admin"):
        rotations = _demo_rotations(two_teams)
        with two_teams.factory() as session:
            team_id = demo(session).team.id
        body = {"key": "TECH", "name": "技术2", "start_date": "2026-06-08"}
        refused = admin.post(f"/api/v1/duty/teams/{team_id}/rotations", json=body)
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"] == "duty.error.rotation_key_taken"
        assert refused.json()["message"] == (
            f"标识「TECH」已经是轮值「{rotations['tech'][1]}」的了，没有新建轮值；请换一个标识。"
        )
        assert _demo_rotations(two_teams) == rotations
        same_name = {**body, "key": "tech2", "name": rotations["tech"][1]}
        taken = admin.post(f"/api/v1/duty/teams/{team_id}/rotations", json=same_name)
        assert taken.status_code == 409 and taken.json()["error"] == "duty.error.rotation_exists"
