"""Tester M5 (session 16): the root API token (``web.api_token``, the workspace owner, "an
admin of every team") read an empty request list while people had been asked, and adding a
reviewer, closing and reading a summary answered 403 with a sentence about reading a summary.
The owner now manages 360 as an admin does; what needs a person (answering, declining) is
refused with words that say so, and a member's refusal names the act refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.outreach.support import ids
from tests.reviews.support import DUE, set_up
from tests.support.web import signed_in

ROOT = {"authorization": "Bearer root-token-360"}


@pytest.fixture
def clients(runtime: Runtime) -> Iterator[dict[str, TestClient]]:
    load_demo(runtime)
    set_up(runtime)
    runtime.settings.web.api_token = SecretStr("root-token-360")
    with signed_in(runtime, "lihua", "sunqi") as made:
        made["root"] = TestClient(create_app(runtime, start_background=False), headers=ROOT)
        yield made


def test_the_owner_token_manages_360_like_an_admin(
    runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    people = ids(runtime)
    root = clients["root"]
    assert root.get("/api/v1/me").json()["member_id"] is None
    made = root.post(
        "/api/v1/reviews/360?team_id=1", json={"reviewees": [people["zhangsan"]], "due_on": DUE}
    )
    assert made.status_code == 201, made.text
    cycle = made.json()["id"]
    base = f"/api/v1/reviews/360/{cycle}"
    listed = root.get(f"{base}/requests?team_id=1")
    assert listed.status_code == 200, listed.text
    # every request, as the director sees them: invited and submitted both read "asked"
    assert len(listed.json()["requests"]) >= 3
    assert {r["status"] for r in listed.json()["requests"]} == {"asked"}
    assert listed.json()["counts"], listed.text
    # everyone of the demo team is asked already: a newcomer to add
    newcomer = root.post("/api/v1/teams/1/members", json={"handle": "xin", "display_name": "新人"})
    assert newcomer.status_code == 201, newcomer.text
    added = root.post(
        f"{base}/requests?team_id=1",
        json={
            "reviewee_id": people["zhangsan"],
            "reviewer_id": newcomer.json()["id"],
            "pool": "peer",
        },
    )
    assert added.status_code == 201 and added.json()["status"] == "invited", added.text
    # answering needs a person: the token is nobody, and the refusal says that
    answered = root.post(
        f"{base}/reviews/{people['zhangsan']}?team_id=1", json={"answers": {"collaboration": 4}}
    )
    assert answered.status_code == 403, answered.text
    assert "填写360评价要以成员身份进行" in answered.json()["message"], answered.text
    assert root.get("/api/v1/reviews/360/pending?team_id=1").json() == []
    closed = root.post(f"{base}/close?team_id=1")
    assert closed.status_code == 200 and closed.json()["open"] is False, closed.text
    summary = root.get(f"{base}/summary/{people['zhangsan']}?team_id=1")
    assert summary.status_code == 200, summary.text
    released = root.post(f"{base}/release/{people['zhangsan']}?team_id=1")
    assert released.status_code == 200, released.text
    settings = root.put("/api/v1/reviews/360/settings/team?team_id=1", json={"min_answers": 4})
    assert settings.status_code == 200, settings.text


def test_a_members_refusal_names_what_was_refused(
    runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    people = ids(runtime)
    made = clients["lihua"].post(
        "/api/v1/reviews/360", json={"reviewees": [people["zhangsan"]], "due_on": DUE}
    )
    base = f"/api/v1/reviews/360/{made.json()['id']}"
    member = clients["sunqi"]
    for (method, path, body), act in (
        (("post", f"{base}/close", None), "结束360评估"),
        (("post", f"{base}/release/{people['zhangsan']}", None), "发布360总结"),
        (
            (
                "post",
                f"{base}/requests",
                {"reviewee_id": people["zhangsan"], "reviewer_id": people["lisi"], "pool": "peer"},
            ),
            "添加评价人",
        ),
        (("put", "/api/v1/reviews/360/settings/team", {"min_answers": 4}), "修改360设置"),
    ):
        refused = member.request(method, path, json=body)
        assert refused.status_code == 403, refused.text
        message = refused.json()["message"]
        assert f"只有团队负责人或管理员可以{act}" in message, message
        assert "总结" not in message or act == "发布360总结", message
