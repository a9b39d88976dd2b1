"""The members and org pages: admins edit through forms with the form token; members only read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import TeamMembership
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import give_account, sign_in
from tests.team.support import demo


@pytest.fixture
def rt(sqlite_runtime: Runtime) -> Runtime:
    load_demo(sqlite_runtime)
    return sqlite_runtime


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(rt, start_background=False)) as c:
        yield c


def _ids(rt: Runtime) -> dict[str, int]:
    with rt.factory() as session:
        d = demo(session)
        return {"team": d.team.id, **{h: m.id for h, m in d.people.items()}}


def test_admin_edits_a_member_through_the_form(client: TestClient, rt: Runtime) -> None:
    token = sign_in(client)
    ids = _ids(rt)
    page = client.get("/team/members")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text and "李华" in page.text
    assert "/team/members" in client.get("/").text  # the nav entry
    form = {
        "csrf_token": token,
        "handle": "lisi",
        "display_name": "李小四",
        "address_as": "四哥",
        "role": "lead",
        "manager_id": str(ids["lihua"]),
        "core": "1",
    }
    client.headers.pop("X-CSRF-Token")
    saved = client.post(
        f"/team/members/{ids['lisi']}?team={ids['team']}", data=form, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    with rt.factory() as session:
        d = demo(session)
        lisi = d["lisi"]
        assert (lisi.display_name, lisi.address_as, lisi.manager_id) == (
            "李小四",
            "四哥",
            ids["lihua"],
        )
        assert team_service.role_of(session, team=d.team, member=lisi) is Role.LEAD
    assert "已保存" in client.get(saved.headers["location"]).text
    # without the token the form is refused
    refused = client.post(f"/team/members/{ids['lisi']}", data={**form, "csrf_token": "x"})
    assert refused.status_code == 403


def test_a_refused_form_changes_nothing(client: TestClient, rt: Runtime) -> None:
    sign_in(client)
    ids = _ids(rt)
    form = {"handle": "admin", "display_name": "王管理改", "role": "member"}
    response = client.post(f"/team/members/{ids['admin']}", data=form)
    assert response.status_code == 409 and "最后一位管理员" in response.json()["message"]
    with rt.factory() as session:
        assert demo(session)["admin"].display_name == "王管理"


def test_members_see_no_forms_and_cannot_post(client: TestClient, rt: Runtime) -> None:
    sign_in(client, "zhangsan", give_account(rt, "zhangsan"))
    ids = _ids(rt)
    page = client.get("/team/members")
    assert page.status_code == 200 and "只有管理员可以修改" in page.text
    assert f'action="/team/members/{ids["lisi"]}' not in page.text
    response = client.post(
        f"/team/members/{ids['lisi']}",
        data={"handle": "lisi", "display_name": "x", "role": "member"},
    )
    assert response.status_code == 403
    org_page = client.get("/team/org")
    assert org_page.status_code == 200 and 'data-testid="team-form"' not in org_page.text


def test_org_page_adds_a_sub_team_and_sets_the_director(client: TestClient, rt: Runtime) -> None:
    sign_in(client)
    ids = _ids(rt)
    made = client.post(
        "/team/org/teams", data={"key": "front", "name": "前端组", "parent_id": str(ids["team"])}
    )
    assert made.status_code == 200  # followed the redirect
    saved = client.post(
        f"/team/org/teams/{ids['team']}",
        data={"parent_id": "", "leader_id": str(ids["lihua"]), "director_id": str(ids["lihua"])},
    )
    assert saved.status_code == 200
    text = client.get("/team/org").text
    assert "前端组" in text
    with transaction(rt.factory) as session:
        d = demo(session)
        assert (d.team.leader_id, d.team.director_id) == (ids["lihua"], ids["lihua"])


def _org_of(rt: Runtime, team_id: int) -> tuple[int | None, int | None, int | None]:
    with rt.factory() as session:
        team = team_service.get_team(
            session, workspace_id=demo(session).team.workspace_id, team_id=team_id
        )
        return team.parent_id, team.leader_id, team.director_id


def test_a_field_left_out_of_the_team_form_is_unchanged(client: TestClient, rt: Runtime) -> None:
    """Session 25: an empty post to the team form cleared its director and parent. A field the
    form leaves out (or sends empty) stays; the form's 「（无）」 (``none``) clears, as REST's
    PATCH does with null."""
    sign_in(client)
    ids = _ids(rt)
    client.post("/team/org/teams", data={"key": "ops", "name": "运维部", "parent_id": ""})
    with rt.factory() as session:
        workspace_id = demo(session).team.workspace_id
        ops = next(
            t.id
            for t in team_service.get_teams(session, workspace_id=workspace_id)
            if t.key == "ops"
        )
    team, lihua = ids["team"], ids["lihua"]
    full = {"parent_id": str(ops), "leader_id": str(lihua), "director_id": str(lihua)}
    assert client.post(f"/team/org/teams/{team}", data=full).status_code == 200
    assert _org_of(rt, team) == (ops, lihua, lihua)
    # When the form is posted with no field at all: nothing changes
    assert client.post(f"/team/org/teams/{team}", data={}).status_code == 200
    assert _org_of(rt, team) == (ops, lihua, lihua)
    # nor with empty ones (what a client that leaves a field blank sends)
    empty = {"parent_id": "", "leader_id": "", "director_id": ""}
    assert client.post(f"/team/org/teams/{team}", data=empty).status_code == 200
    assert _org_of(rt, team) == (ops, lihua, lihua)
    # the page's 「（无）」 options send "none"
    page = client.get(f"/team/org?team={team}").text
    assert '<select name="director_id"><option value="none">（无）</option>' in page
    # The form's own 「（无）」 clears that one field only
    assert client.post(f"/team/org/teams/{team}", data={"leader_id": "none"}).status_code == 200
    assert _org_of(rt, team) == (ops, None, lihua)
    assert client.post(f"/team/org/teams/{team}", data={"parent_id": "none"}).status_code == 200
    assert _org_of(rt, team) == (None, None, lihua)


def test_a_choice_not_in_the_team_form_changes_nothing(client: TestClient, rt: Runtime) -> None:
    sign_in(client)
    ids = _ids(rt)
    team, lihua = ids["team"], ids["lihua"]
    full = {"leader_id": str(lihua), "director_id": str(lihua)}
    assert client.post(f"/team/org/teams/{team}", data=full).status_code == 200
    # a cleared leader with a director that is no id: refused whole, and said why
    bad = client.post(f"/team/org/teams/{team}", data={"leader_id": "none", "director_id": "李华"})
    assert bad.status_code == 422
    assert bad.json() == {
        "error": "people.error.bad_choice",
        "message": "「负责人」收到的不是列表里的选项，这次什么都没有改。请刷新页面后重新选择。",
    }
    assert _org_of(rt, team) == (None, lihua, lihua)
    # a browser's form post goes back to the page, which says it
    page = client.post(
        f"/team/org/teams/{team}?team={team}",
        data={"parent_id": "-1"},
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 200 and "「上级团队」收到的不是列表里的选项" in page.text
    assert _org_of(rt, team) == (None, lihua, lihua)


def _manager_and_core(rt: Runtime, handle: str) -> tuple[int | None, bool]:
    with rt.factory() as session:
        d = demo(session)
        member = d[handle]
        row = session.scalars(
            select(TeamMembership).where(
                TeamMembership.team_id == d.team.id, TeamMembership.member_id == member.id
            )
        ).one()
        return member.manager_id, bool(row.core)


@pytest.mark.parametrize("path", ["/team/org/members/{id}", "/team/members/{id}"])
def test_a_field_left_out_of_a_member_form_is_unchanged(
    client: TestClient, rt: Runtime, path: str
) -> None:
    """Session 25 (h-fix26b item 7): the org page's member form cleared the manager (and the
    core flag) on a post without them, as the team form did before ``b4e2c37``. The members
    page's row form read them the same way. Left out or empty: unchanged; 「（无）」 sends
    ``none`` and clears; the core checkbox sends a hidden ``0`` so unticking is said."""
    sign_in(client)
    ids = _ids(rt)
    url = path.format(id=ids["lisi"]) + f"?team={ids['team']}"
    names = {"handle": "lisi", "display_name": "李四", "role": "member"}
    base = names if path.startswith("/team/members") else {}
    set_both = {**base, "manager_id": str(ids["lihua"]), "core": ["0", "1"]}
    assert client.post(url, data=set_both).status_code == 200
    assert _manager_and_core(rt, "lisi") == (ids["lihua"], True)
    # left out: nothing changes
    assert client.post(url, data=base).status_code == 200
    assert _manager_and_core(rt, "lisi") == (ids["lihua"], True)
    # sent empty (a client leaving the select blank): nothing changes either
    assert client.post(url, data={**base, "manager_id": ""}).status_code == 200
    assert _manager_and_core(rt, "lisi") == (ids["lihua"], True)
    # the page's own choices: 「（无）」 is "none", an unticked box sends its hidden 0
    page = client.get(
        "/team/org" if "org" in path else "/team/members", params={"team": ids["team"]}
    ).text
    assert '<select name="manager_id"><option value="none">（无）</option>' in page
    assert '<input type="hidden" name="core" value="0">' in page
    assert client.post(url, data={**base, "manager_id": "none", "core": "0"}).status_code == 200
    assert _manager_and_core(rt, "lisi") == (None, False)
    # a choice not in the list is refused whole
    bad = client.post(url, data={**base, "manager_id": "李华", "core": ["0", "1"]})
    assert bad.status_code == 422 and bad.json()["error"] == "people.error.bad_choice", bad.text
    assert _manager_and_core(rt, "lisi") == (None, False)
