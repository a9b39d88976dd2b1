"""The k rule against subtraction: a reader's own answer is never one of the k, k holds per
question, and the requests listing gives the director counts, not who has answered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.reviews import document
from teamassist.runtime import Runtime
from tests.conftest import load_demo
from tests.outreach.support import ids
from tests.reviews.support import answer, close, read, set_up, start
from tests.support.web import signed_in

PEOPLE = ("lihua", "admin", "wangwu", "zhaoliu")


@pytest.fixture
def clients(runtime: Runtime) -> Iterator[dict[str, TestClient]]:
    load_demo(runtime)
    set_up(runtime)
    with signed_in(runtime, *PEOPLE) as made:
        yield made


def _peers(body: dict[str, object]) -> dict[str, object]:
    pools = body["pools"]
    assert isinstance(pools, list)
    [peers] = [p for p in pools if p["pool"] == "peer"]
    assert isinstance(peers, dict)
    return peers


def test_an_admin_who_answered_cannot_subtract_their_own_answer(
    runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    # given k = 2, a cycle for 王五, and in his peer pool the admin and 赵六 answered
    wangwu = ids(runtime)["wangwu"]
    admin, director = clients["admin"], clients["lihua"]
    k = admin.put("/api/v1/reviews/360/settings/team", json={"min_answers": 2})
    assert k.status_code == 200, k.text
    made = director.post(
        "/api/v1/reviews/360", json={"reviewees": [wangwu], "due_on": "2026-12-31"}
    )
    assert made.status_code == 201, made.text
    cycle = made.json()["id"]
    url = f"/api/v1/reviews/360/{cycle}/reviews/{wangwu}"
    mine = admin.post(url, json={"answers": {"collaboration": 3, "keep": "ADMIN-OWN"}})
    assert mine.status_code == 201, mine.text
    theirs = clients["zhaoliu"].post(
        url, json={"answers": {"collaboration": 1, "change": "赵六的真心话"}}
    )
    assert theirs.status_code == 201, theirs.text
    assert director.post(f"/api/v1/reviews/360/{cycle}/close").status_code == 200
    summary = f"/api/v1/reviews/360/{cycle}/summary/{wangwu}"
    # when the admin, who answered, reads the summary (JSON and markdown)
    peers = _peers(admin.get(summary).json())
    markdown = admin.get(f"{summary}.md").text
    # then the peer pool is hidden from them: only one answer besides their own
    assert (peers["shown"], peers["answers"], peers["ratings"], peers["texts"]) == (
        False,
        None,
        [],
        [],
    )
    assert "赵六的真心话" not in markdown and "ADMIN-OWN" not in markdown
    # while the director, who did not answer, sees the pool of 2 (k = 2)
    seen = _peers(director.get(summary).json())
    assert seen["shown"] is True and seen["answers"] == 2
    assert seen["ratings"][0]["average"] == 2.0  # type: ignore[index]


def test_the_requests_list_shows_the_director_counts_not_who_answered(
    runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    # given a cycle for 王五 where 赵六 answered as a peer and the admin did not
    wangwu = ids(runtime)["wangwu"]
    zhaoliu = ids(runtime)["zhaoliu"]
    director = clients["lihua"]
    made = director.post(
        "/api/v1/reviews/360", json={"reviewees": [wangwu], "due_on": "2026-12-31"}
    )
    cycle = made.json()["id"]
    done = clients["zhaoliu"].post(
        f"/api/v1/reviews/360/{cycle}/reviews/{wangwu}",
        json={"answers": {"collaboration": 1, "change": "赵六的真心话"}},
    )
    assert done.status_code == 201, done.text
    # when the director lists the requests
    listing = director.get(f"/api/v1/reviews/360/{cycle}/requests")
    assert listing.status_code == 200, listing.text
    rows = listing.json()
    # then no row of someone else says submitted or invited: answered-or-not is hidden
    # (the director's own request, as 王五's manager, keeps its true status)
    lihua = ids(runtime)["lihua"]
    others = [r for r in rows["requests"] if r["reviewer_id"] != lihua]
    assert others and {r["status"] for r in others} == {"asked"}
    [own] = [r["status"] for r in rows["requests"] if r["reviewer_id"] == lihua]
    assert own == "invited"
    # and the counts per pool say one peer answered
    [peer] = [c for c in rows["counts"] if c["reviewee_id"] == wangwu and c["pool"] == "peer"]
    assert peer["submitted"] == 1 and peer["asked"] >= 1
    # when 赵六 lists them: only his own request, with its true status
    his = clients["zhaoliu"].get(f"/api/v1/reviews/360/{cycle}/requests").json()
    assert [(r["reviewer_id"], r["status"]) for r in his["requests"]] == [(zhaoliu, "submitted")]
    assert his["counts"] == []
    # and the director's page holds no per-person answered status either
    page = director.get(f"/reviews/360/{cycle}")
    assert page.status_code == 200
    assert document.status_label("submitted") not in page.text.split("reviews-requests")[1]


def test_a_question_below_k_shows_nothing(runtime: Runtime) -> None:
    # given k = 3 and three peer answers on 张三 where only 孙七 rated growth and wrote a change
    load_demo(runtime)
    set_up(runtime)
    start(runtime, "zhangsan")
    answer(runtime, "wangwu", "zhangsan", {"collaboration": 4})
    answer(runtime, "zhaoliu", "zhangsan", {"collaboration": 3})
    answer(runtime, "sunqi", "zhangsan", {"collaboration": 2, "growth": 1, "change": "孙七的话"})
    close(runtime)
    # when the director reads the summary
    found = read(runtime, "zhangsan", as_="lihua")
    [peers] = [p for p in found.pools if p.pool == "peer"]
    # then the pool is shown (3 answers) with collaboration, but growth and change are left out
    assert peers.shown and peers.answers == 3
    assert [(r.key, r.average, r.answers) for r in peers.ratings] == [("collaboration", 3.0, 3)]
    assert peers.texts == ()
    assert "孙七的话" not in document.markdown(found)
