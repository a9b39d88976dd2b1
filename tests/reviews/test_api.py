"""REST under /api/v1/reviews/360: the reviewer is the signed-in member, the summary follows
the k rule and the release gate for every reader."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from tests.conftest import load_demo
from tests.outreach.support import ids
from tests.reviews.support import DUE, set_up
from tests.support.web import signed_in

PEOPLE = ("lihua", "admin", "zhangsan", "lisi", "wangwu", "zhaoliu", "sunqi")


@pytest.fixture
def clients(runtime: Runtime) -> Iterator[dict[str, TestClient]]:
    load_demo(runtime)
    set_up(runtime)
    with signed_in(runtime, *PEOPLE) as made:
        yield made


def test_a_cycle_through_rest(runtime: Runtime, clients: dict[str, TestClient]) -> None:
    people = ids(runtime)
    zhangsan = people["zhangsan"]
    director = clients["lihua"]
    refused = clients["sunqi"].post(
        "/api/v1/reviews/360", json={"reviewees": [zhangsan], "due_on": DUE}
    )
    assert refused.status_code == 403, refused.text
    made = director.post("/api/v1/reviews/360", json={"reviewees": [zhangsan], "due_on": DUE})
    assert made.status_code == 201, made.text
    cycle = made.json()["id"]
    assert made.json()["open"] is True and made.json()["min_answers"] == 3
    [pending] = clients["wangwu"].get("/api/v1/reviews/360/pending").json()
    assert pending["reviewee_id"] == zhangsan and pending["pool"] == "peer"
    url = f"/api/v1/reviews/360/{cycle}/reviews/{zhangsan}"
    # bad answers: 422, nothing stored
    bad = clients["wangwu"].post(url, json={"answers": {"collaboration": 9}})
    assert bad.status_code == 422, bad.text
    # a JSON true is not a rating of 1 (tester s26 B-12: stored as 1 of 5, irreversibly)
    truthy = clients["wangwu"].post(url, json={"answers": {"collaboration": True, "keep": "好"}})
    assert truthy.status_code == 422 and "不能是 true 或 false" in truthy.text, truthy.text
    # two peers answer; the second try of one is refused
    for handle, text in (("wangwu", "文档清楚"), ("zhaoliu", "会议高效")):
        done = clients[handle].post(url, json={"answers": {"collaboration": 4, "keep": text}})
        assert done.status_code == 201 and done.json() == {"status": "submitted"}, done.text
    again = clients["wangwu"].post(url, json={"answers": {"collaboration": 1}})
    assert again.status_code == 409, again.text
    declined = clients["sunqi"].post(f"{url}/decline", json={"reason": "不熟"})
    assert declined.status_code == 200, declined.text
    summary = f"/api/v1/reviews/360/{cycle}/summary/{zhangsan}"
    assert director.get(summary).status_code == 409  # still open
    assert director.post(f"/api/v1/reviews/360/{cycle}/close").json()["open"] is False
    # two peer answers (k = 3): nothing of the pool, for the director and for an admin
    for reader in ("lihua", "admin"):
        body = clients[reader].get(summary).json()
        [peers] = [p for p in body["pools"] if p["pool"] == "peer"]
        assert peers == {
            "pool": "peer",
            "shown": False,
            "answers": None,
            "ratings": [],
            "texts": [],
        }
        markdown = clients[reader].get(f"{summary}.md")
        assert markdown.status_code == 200, markdown.text
        assert "文档清楚" not in markdown.text and "会议高效" not in markdown.text
        assert "文档清楚" not in clients[reader].get(summary).text
    # the director's request view: asked/declined and the reason, counts per pool, no answer
    rows = director.get(f"/api/v1/reviews/360/{cycle}/requests").json()
    # (the director's own manager request keeps its true status: invited)
    assert {r["status"] for r in rows["requests"]} == {"asked", "declined", "invited"}
    [peers] = [c for c in rows["counts"] if c["pool"] == "peer"]
    assert peers["submitted"] == 2
    assert "文档清楚" not in director.get(f"/api/v1/reviews/360/{cycle}/requests").text
    # the reviewee sees only the requests where they review (their self review), no counts
    own = clients["zhangsan"].get(f"/api/v1/reviews/360/{cycle}/requests").json()
    assert [(r["pool"], r["status"]) for r in own["requests"]] == [("self", "invited")]
    assert own["counts"] == []
    # the reviewee: 409 before release, then the summary; another member: 403
    assert clients["zhangsan"].get(summary).status_code == 409
    assert clients["lisi"].get(summary).status_code == 403
    assert (
        clients["zhangsan"].post(f"/api/v1/reviews/360/{cycle}/release/{zhangsan}").status_code
        == 403
    )
    assert director.post(f"/api/v1/reviews/360/{cycle}/release/{zhangsan}").status_code == 200
    mine = clients["zhangsan"].get(summary)
    assert mine.status_code == 200 and mine.json()["released"] is True
    # the documents follow the same rule: the hidden pool's texts are in no file
    word = clients["zhangsan"].get(f"{summary}.docx")
    assert word.status_code == 200 and word.headers["content-type"].startswith(
        "application/vnd.openxmlformats"
    )
    xml = zipfile.ZipFile(io.BytesIO(word.content)).read("word/document.xml").decode("utf-8")
    assert "张三" in xml and "文档清楚" not in xml and "会议高效" not in xml
    pdf = clients["zhangsan"].get(f"{summary}.pdf")
    assert pdf.status_code in (200, 503), pdf.text  # 503 on a server without pango
    if pdf.status_code == 200:
        assert pdf.content.startswith(b"%PDF")
    assert clients["lisi"].get(f"{summary}.docx").status_code == 403


def test_nomination_waits_for_the_director(
    runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    people = ids(runtime)
    director = clients["lihua"]
    cycle = director.post(
        "/api/v1/reviews/360", json={"reviewees": [people["lisi"]], "due_on": DUE}
    ).json()["id"]
    requests = f"/api/v1/reviews/360/{cycle}/requests"
    # 李四's peers are already asked by default; take one out of the picture by declining
    taken = clients["lisi"].post(
        requests,
        json={"reviewee_id": people["lisi"], "reviewer_id": people["wangwu"], "pool": "peer"},
    )
    assert taken.status_code == 409, taken.text  # already asked
    # a member may not nominate for someone else, nor a manager
    other = clients["sunqi"].post(
        requests,
        json={"reviewee_id": people["lisi"], "reviewer_id": people["sunqi"], "pool": "peer"},
    )
    assert other.status_code == 403, other.text
    # the settings: k and the template, the director's to change
    assert (
        clients["lisi"]
        .put("/api/v1/reviews/360/settings/team", json={"min_answers": 4})
        .status_code
        == 403
    )
    assert (
        director.put("/api/v1/reviews/360/settings/team", json={"min_answers": 1}).status_code
        == 422
    )
    changed = director.put("/api/v1/reviews/360/settings/team", json={"min_answers": 4})
    assert changed.status_code == 200 and changed.json()["min_answers"] == 4
    bad = director.put(
        "/api/v1/reviews/360/settings/team",
        json={"questions": [{"key": "X", "kind": "rating", "text": "?"}]},
    )
    assert bad.status_code == 422, bad.text
    assert director.get("/api/v1/reviews/360/settings/team").json()["min_answers"] == 4
