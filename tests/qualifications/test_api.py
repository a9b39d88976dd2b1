"""REST under /api/v1/qualifications and the page: a person's level for the person, the
director and admins only (403 for others); the framework replaced by admins, keeping people."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.outreach.support import set_up_groups
from tests.support.web import signed_in
from tests.team.support import second_team_admin

ROLES = ("admin", "lihua", "zhangsan", "lisi")


@pytest.fixture
def clients(sqlite_runtime: Runtime) -> Iterator[dict[str, TestClient]]:
    load_demo(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-12-01 10:00")
    set_up_groups(sqlite_runtime)  # 李华 directs the demo team
    with signed_in(sqlite_runtime, *ROLES) as made:
        yield made


def test_visibility_per_role(clients: dict[str, TestClient]) -> None:
    for handle, expected in (("zhangsan", 200), ("lihua", 200), ("admin", 200), ("lisi", 403)):
        read = clients[handle].get("/api/v1/qualifications/people/zhangsan")
        assert read.status_code == expected, (handle, read.text)
        if expected == 200:
            assert read.json()["level"] == "P3" and len(read.json()["assessments"]) == 2
        else:
            assert "P3" not in read.text and set(read.json()) >= {"error", "message"}
    # The page: 李四 sees his own level and the framework, not the team's levels.
    page = clients["lisi"].get("/qualifications").text
    assert 'data-testid="qual-mine"' in page and "P2 工程师" in page
    assert 'data-testid="qual-team"' not in page
    team = clients["lihua"].get("/qualifications").text
    assert 'data-testid="qual-team"' in team and 'data-handle="zhangsan"' in team


def test_director_sets_and_assesses_through_rest(clients: dict[str, TestClient]) -> None:
    director, member = clients["lihua"], clients["lisi"]
    body = {"level": "P3", "outcome": "qualified", "effective_date": "2026-12-01"}
    assert (
        member.post("/api/v1/qualifications/people/lisi/assessments", json=body).status_code == 403
    )
    made = director.post("/api/v1/qualifications/people/lisi/assessments", json=body)
    assert made.status_code == 201 and made.json()["level"] == "P3", made.text
    assert member.get("/api/v1/qualifications/people/lisi").json()["since"] == "2026-12-01"
    bad = director.put("/api/v1/qualifications/people/lisi/level", json={"level": "P9"})
    assert bad.status_code == 404
    assert member.get("/api/v1/qualifications/people/lisi").json()["level"] == "P3"


def test_admins_replace_the_framework_keeping_people(clients: dict[str, TestClient]) -> None:
    admin, director = clients["admin"], clients["lihua"]
    framework = admin.get("/api/v1/qualifications/framework").json()
    assert [lv["code"] for lv in framework[0]["levels"]] == ["P1", "P2", "P3", "P4"]
    framework[0]["levels"][2]["title"] = "高级工程师（新）"
    assert (
        director.put("/api/v1/qualifications/framework", json={"tracks": framework}).status_code
        == 403
    )
    done = admin.put("/api/v1/qualifications/framework", json={"tracks": framework})
    assert done.status_code == 200, done.text
    assert admin.get("/api/v1/qualifications/people/zhangsan").json()["title"] == "高级工程师（新）"
    # Dropping P3, which people hold, is refused and changes nothing.
    framework[0]["levels"].pop(2)
    refused = admin.put("/api/v1/qualifications/framework", json={"tracks": framework})
    assert refused.status_code == 409, refused.text
    assert len(admin.get("/api/v1/qualifications/framework").json()[0]["levels"]) == 4


def test_an_unknown_handle_is_named_with_the_team(clients: dict[str, TestClient]) -> None:
    """A tester's find (session 13): ``GET /people/nobody`` answered "nobody 不在「」里", the
    team name left empty."""
    for method, path, body in (
        ("get", "/api/v1/qualifications/people/nobody", None),
        ("put", "/api/v1/qualifications/people/nobody/level", {"level": "P3"}),
    ):
        refused = clients["admin"].request(method, path, json=body)
        assert refused.status_code == 404, refused.text
        message = refused.json()["message"]
        assert "「」" not in message and "「nobody」" in message, message
        assert message == "「开发者社区」里没有账号为「nobody」的成员，请检查账号。"


def test_another_team_s_admin_is_told_the_person_is_not_there(
    sqlite_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    """Tester s26 A-5: the admin of 二组 asking of 张三 (P3 in the demo team only) read an
    empty record, 200, as if 张三 had no level."""
    team = second_team_admin(sqlite_runtime, "lisi")
    read = clients["lisi"].get(f"/api/v1/qualifications/people/zhangsan?team_id={team}")
    assert read.status_code == 404, read.text
    assert read.json()["message"] == "张三 不在「二组」里。"
    assert "P3" not in read.text
    # in the demo team 张三's record is still there for its readers
    own = clients["admin"].get("/api/v1/qualifications/people/zhangsan")
    assert own.status_code == 200 and own.json()["level"] == "P3"
