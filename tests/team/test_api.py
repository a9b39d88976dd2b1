"""REST for people and the organisation: admins change, members read, another workspace's
people are not found, and a refused change changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import give_account, sign_in
from tests.team.support import demo, other_workspace


@pytest.fixture
def rt(sqlite_runtime: Runtime) -> Runtime:
    load_demo(sqlite_runtime)
    return sqlite_runtime


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(rt, start_background=False)) as c:
        yield c


@pytest.fixture
def ids(rt: Runtime) -> dict[str, int]:
    with transaction(rt.factory) as session:
        d = demo(session)
        _ws, team, outsider = other_workspace(session)
        found = {h: m.id for h, m in d.people.items()}
        found.update(team=d.team.id, outsider=outsider.id, other_team=team.id)
        return found


def _admin(client: TestClient) -> TestClient:
    sign_in(client, "admin", "admin")
    return client


def _as_member(client: TestClient, rt: Runtime) -> TestClient:
    sign_in(client, "zhangsan", give_account(rt, "zhangsan"))
    return client


def _person(client: TestClient, member_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/members/{member_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_admin_adds_and_changes_a_member(client: TestClient, ids: dict[str, int]) -> None:
    _admin(client)
    added = client.post(
        f"/api/v1/teams/{ids['team']}/members",
        json={"handle": "bob", "display_name": "鲍勃", "role": "lead"},
    )
    assert added.status_code == 201 and added.json()["role"] == "lead"
    bob = added.json()["id"]
    changed = client.patch(
        f"/api/v1/members/{bob}",
        json={
            "handle": "bob2",
            "display_name": "鲍勃二",
            "address_as": "鲍总",
            "manager_id": ids["lihua"],
            "role": "admin",
            "core": True,
        },
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["handle"], body["display_name"], body["address_as"], body["addressed_as"]) == (
        "bob2",
        "鲍勃二",
        "鲍总",
        "鲍总",
    )
    assert body["manager_id"] == ids["lihua"]
    assert body["teams"] == {str(ids["team"]): "admin"} and body["core_teams"] == [ids["team"]]
    cleared = client.patch(f"/api/v1/members/{bob}", json={"address_as": None, "manager_id": None})
    assert cleared.json()["address_as"] is None and cleared.json()["manager_id"] is None
    assert cleared.json()["addressed_as"] == "鲍勃二"


def test_deactivate_reactivate_and_merge(client: TestClient, ids: dict[str, int]) -> None:
    _admin(client)
    gone = client.delete(f"/api/v1/members/{ids['wangwu']}")
    assert gone.status_code == 200 and gone.json()["active"] is False
    assert gone.json()["deactivated_at"] is not None
    back = client.patch(f"/api/v1/members/{ids['wangwu']}", json={"active": True})
    assert back.json()["active"] is True
    later = client.patch(
        f"/api/v1/members/{ids['wangwu']}",
        json={"active": False, "deactivate_at": "2026-06-10T00:00:00+08:00"},
    )
    assert later.json()["deactivated_at"].startswith("2026-06-09T16:00:00")
    merged = client.post(f"/api/v1/members/{ids['lisi']}/merge", json={"source_id": ids["sunqi"]})
    assert merged.status_code == 200
    assert _person(client, ids["sunqi"])["merged_into_id"] == ids["lisi"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "key"),
    [
        ("patch", "/api/v1/members/{admin}", {"role": "member"}, 409, "people.error.last_admin"),
        ("delete", "/api/v1/members/{admin}", None, 409, "people.error.last_admin"),
        (
            "patch",
            "/api/v1/members/{lisi}",
            {"handle": "zhangsan"},
            409,
            "people.error.handle_taken",
        ),
        ("patch", "/api/v1/members/{lisi}", {"handle": "a b"}, 422, "core.error.invalid_request"),
        ("patch", "/api/v1/members/{lisi}", {"display_name": "  "}, 422, "people.error.empty_name"),
        (
            "patch",
            "/api/v1/members/{lisi}",
            {"display_name": "张三"},
            409,
            "people.error.name_taken",
        ),
        (
            "patch",
            "/api/v1/members/{lisi}",
            {"display_name": "zhangsan"},
            409,
            "people.error.name_is_a_handle",
        ),
        (
            "patch",
            "/api/v1/members/{lisi}",
            {"manager_id": "{lisi}"},
            422,
            "people.error.manager_self",
        ),
        ("patch", "/api/v1/members/{lisi}", {"colour": "red"}, 422, "core.error.invalid_request"),
        (
            "post",
            "/api/v1/members/{lisi}/merge",
            {"source_id": "{lisi}"},
            422,
            "people.error.merge_self",
        ),
        (
            "patch",
            "/api/v1/teams/{team}",
            {"director_id": "{zhangsan}"},
            409,
            "people.error.director_role",
        ),
        (
            "patch",
            "/api/v1/teams/{team}",
            {"director_id": "{admin}"},
            403,
            "people.error.director_self",
        ),
        ("patch", "/api/v1/teams/{team}", {"parent_id": "{team}"}, 409, "people.error.team_cycle"),
        ("post", "/api/v1/teams", {"key": "a/b", "name": "x"}, 422, "people.error.bad_team_key"),
        # tester s29 F-7: a key nobody can see, or one that reads as another team's
        (
            "post",
            "/api/v1/teams",
            {"key": "\u200b\u200b", "name": "n1"},
            422,
            "people.error.invisible_team_key",
        ),
        (
            "post",
            "/api/v1/teams",
            {"key": "team\u202e", "name": "n2"},
            422,
            "people.error.invisible_team_key",
        ),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    client: TestClient,
    ids: dict[str, int],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    status: int,
    key: str,
) -> None:
    _admin(client)
    before = [client.get("/api/v1/members").json(), client.get("/api/v1/org").json()]

    def fill(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            return ids[value[1:-1]]
        return value

    url = path.format(**ids)
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs["json"] = {k: fill(v) for k, v in body.items()}
    response = client.request(method.upper(), url, **kwargs)
    assert response.status_code == status, response.text
    assert response.json()["error"] == key and response.json()["message"]
    assert [client.get("/api/v1/members").json(), client.get("/api/v1/org").json()] == before


def test_members_read_but_do_not_write(
    client: TestClient, rt: Runtime, ids: dict[str, int]
) -> None:
    _as_member(client, rt)
    assert client.get("/api/v1/members").status_code == 200
    assert client.get("/api/v1/org").status_code == 200
    assert _person(client, ids["lisi"])["display_name"] == "李四"
    for method, url, body in [
        ("PATCH", f"/api/v1/members/{ids['lisi']}", {"display_name": "x"}),
        ("DELETE", f"/api/v1/members/{ids['lisi']}", None),
        ("POST", f"/api/v1/members/{ids['lisi']}/merge", {"source_id": ids["wangwu"]}),
        ("POST", f"/api/v1/teams/{ids['team']}/members", {"handle": "x", "display_name": "x"}),
        ("POST", "/api/v1/teams", {"key": "x", "name": "x", "parent_id": ids["team"]}),
        ("PATCH", f"/api/v1/teams/{ids['team']}", {"leader_id": ids["lihua"]}),
    ]:
        response = client.request(method, url, json=body) if body else client.request(method, url)
        assert response.status_code == 403, (method, url, response.text)
    assert _person(client, ids["lisi"])["display_name"] == "李四"


def test_another_workspace_is_not_found(client: TestClient, ids: dict[str, int]) -> None:
    _admin(client)
    outsider, other_team = ids["outsider"], ids["other_team"]
    assert client.get(f"/api/v1/members/{outsider}").status_code == 404
    assert (
        client.patch(f"/api/v1/members/{outsider}", json={"display_name": "x"}).status_code == 404
    )
    assert client.delete(f"/api/v1/members/{outsider}").status_code == 404
    merge = client.post(f"/api/v1/members/{ids['lisi']}/merge", json={"source_id": outsider})
    assert merge.status_code == 404
    manager = client.patch(f"/api/v1/members/{ids['lisi']}", json={"manager_id": outsider})
    assert manager.status_code == 404
    assert client.patch(f"/api/v1/teams/{other_team}", json={"leader_id": None}).status_code == 404
    moved = client.patch(f"/api/v1/teams/{ids['team']}", json={"parent_id": other_team})
    assert moved.status_code == 404
    handles = {m["handle"] for m in client.get("/api/v1/members").json()}
    assert "outsider" not in handles and "zhangsan" in handles


def test_sub_team_leader_director_and_org_tree(client: TestClient, ids: dict[str, int]) -> None:
    _admin(client)
    sub = client.post(
        "/api/v1/teams", json={"key": "front", "name": "前端组", "parent_id": ids["team"]}
    )
    assert sub.status_code == 201 and sub.json()["parent_id"] == ids["team"]
    front = sub.json()["id"]
    client.post(f"/api/v1/teams/{front}/members", json={"handle": "fe", "display_name": "前端"})
    fe = next(m["id"] for m in client.get("/api/v1/members").json() if m["handle"] == "fe")
    assert client.patch(f"/api/v1/teams/{front}", json={"leader_id": fe}).json()["leader_id"] == fe
    director = client.patch(f"/api/v1/teams/{ids['team']}", json={"director_id": ids["lihua"]})
    assert director.status_code == 200 and director.json()["director_id"] == ids["lihua"]
    assert _person(client, ids["lihua"])["addressed_as"] == "李总"
    client.patch(f"/api/v1/members/{ids['zhangsan']}", json={"manager_id": ids["lihua"]})
    tree = client.get("/api/v1/org").json()
    [root] = tree["teams"]
    assert root["director_id"] == ids["lihua"]
    [child] = root["children"]
    assert (child["name"], child["leader_id"]) == ("前端组", fe)
    # the admin who created the sub-team is its first admin, so it never lacks one
    assert {m["id"]: m["role"] for m in child["members"]} == {ids["admin"]: "admin", fe: "member"}
    assert tree["managers"] == {str(ids["zhangsan"]): ids["lihua"]}
    roles = {m["id"]: m["role"] for m in root["members"]}
    assert roles[ids["admin"]] == Role.ADMIN.value
    revoked = client.patch(f"/api/v1/teams/{ids['team']}", json={"director_id": None})
    assert revoked.json()["director_id"] is None


def test_a_deactivation_date_without_an_offset_is_the_teams_wall_clock(
    client: TestClient, ids: dict[str, int]
) -> None:
    """A tester's find (session 13): ``deactivate_at: "2026-12-20"`` (or ``?at=`` without an
    offset) answered 500, a naive datetime reaching the UTC arithmetic. It is read in the
    team's zone (Asia/Shanghai), as chat reads a date."""
    _admin(client)
    dated = client.patch(
        f"/api/v1/members/{ids['wangwu']}", json={"active": False, "deactivate_at": "2026-06-10"}
    )
    assert dated.status_code == 200, dated.text
    assert dated.json()["deactivated_at"].startswith("2026-06-09T16:00:00")
    timed = client.delete(f"/api/v1/members/{ids['zhaoliu']}", params={"at": "2026-06-11T09:30"})
    assert timed.status_code == 200, timed.text
    assert timed.json()["deactivated_at"].startswith("2026-06-11T01:30:00")
