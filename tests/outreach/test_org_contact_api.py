"""REST under /api/v1/org-inbox: the sender comes from the sign-in, an anonymous sender is never
named to the director, and only the recipient may relay a reply."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.runtime import Runtime
from teamassist.team import org, people, workspaces
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.outreach.support import set_up_groups
from tests.support.web import give_account, sign_in


@pytest.fixture
def app_runtime(runtime: Runtime) -> Iterator[Runtime]:
    load_demo(runtime)
    set_clock(runtime, "2026-11-30 09:00")
    set_up_groups(runtime)  # 李华 directs the demo team
    yield runtime


@pytest.fixture
def clients(app_runtime: Runtime) -> Iterator[dict[str, TestClient]]:
    made: dict[str, TestClient] = {}
    for handle in ("sunqi", "lihua", "zhangsan"):
        client = TestClient(create_app(app_runtime, start_background=False))
        client.__enter__()
        sign_in(client, handle, give_account(app_runtime, handle))
        made[handle] = client
    yield made
    for client in made.values():
        client.__exit__(None, None, None)


def test_anonymous_message_through_rest(clients: dict[str, TestClient]) -> None:
    sender, director, other = clients["sunqi"], clients["lihua"], clients["zhangsan"]
    # a body naming someone else as the sender is not a field: refused (422), never trusted
    forged = sender.post(
        "/api/v1/org-inbox", json={"text": "加班太多", "anonymous": True, "sender": "zhangsan"}
    )
    assert forged.status_code == 422, forged.text
    assert director.get("/api/v1/org-inbox").json() == []
    sent = sender.post("/api/v1/org-inbox", json={"text": "加班太多", "anonymous": True})
    assert sent.status_code == 201, sent.text
    code = sent.json()["code"]
    assert sent.json()["anonymous"] is True
    [message] = director.get("/api/v1/org-inbox").json()
    assert message["code"] == code and message["sender"] is None and message["text"] == "加班太多"
    assert "孙七" not in director.get("/api/v1/org-inbox").text
    assert "sunqi" not in director.get("/api/v1/org-inbox").text
    # nothing reached anyone else
    assert other.get("/api/v1/org-inbox").json() == []
    refused = other.post(f"/api/v1/org-inbox/{code}/replies", json={"text": "我来回"})
    assert refused.status_code == 403, refused.text
    assert set(refused.json()) >= {"error", "message"}
    relayed = director.post(f"/api/v1/org-inbox/{code}/replies", json={"text": "周五聊"})
    assert relayed.status_code == 201 and relayed.json() == {"code": code, "status": "relayed"}
    assert director.get("/api/v1/org-inbox").json()[0]["replies"] == 1


def test_a_repeat_through_rest_answers_the_first_message(clients: dict[str, TestClient]) -> None:
    sender, director = clients["sunqi"], clients["lihua"]
    first = sender.post("/api/v1/org-inbox", json={"text": "加班太多", "anonymous": True})
    again = sender.post("/api/v1/org-inbox", json={"text": "加班太多！", "anonymous": True})
    assert first.status_code == again.status_code == 201, again.text
    assert (first.json()["repeat"], again.json()["repeat"]) == (False, True)
    assert again.json()["code"] == first.json()["code"]
    assert len(director.get("/api/v1/org-inbox").json()) == 1


def test_bad_input_changes_nothing(clients: dict[str, TestClient]) -> None:
    sender, director = clients["sunqi"], clients["lihua"]
    assert sender.post("/api/v1/org-inbox", json={"text": ""}).status_code == 422
    assert sender.post("/api/v1/org-inbox", json={"anonymous": True}).status_code == 422
    assert director.get("/api/v1/org-inbox").json() == []
    missing = director.post("/api/v1/org-inbox/R-99/replies", json={"text": "hi"})
    assert missing.status_code == 404, missing.text


def test_rest_names_the_route_as_chat_does(app_runtime: Runtime) -> None:
    """F-12: a sub-team's only admin reaches the parent team's director; REST says who and
    why (``via``, ``via_team``, ``note``), the words chat replies with."""
    with transaction(app_runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = workspaces.add_team(
            session, workspace=workspace, name="产品组", timezone="Asia/Shanghai"
        )
        org.set_parent(
            session, team=team, parent=team_service.default_team(session, workspace_id=workspace.id)
        )
        people.add_member(
            session, workspace=workspace, team=team, handle="pl1", display_name="产品头",
            role=Role.ADMIN,
        )  # fmt: skip
    with TestClient(create_app(app_runtime, start_background=False)) as client:
        sign_in(client, "pl1", give_account(app_runtime, "pl1"))
        sent = client.post("/api/v1/org-inbox", json={"text": "子团队找组织"})
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert (body["to"], body["via"], body["via_team"]) == ("李总", "parent", "开发者社区"), body
    assert body["note"] == (
        "「产品组」没有别的负责人、组长或管理员可以接收，所以这条转给了上级团队「开发者社区」的李总。"
    )
