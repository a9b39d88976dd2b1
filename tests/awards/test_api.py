"""REST under /api/v1/awards and the /awards page: the voter is the signed-in member, the
tally is null (and the page shows no count) until the round closes, for every role; the
director (or an admin) moves the phases; admins change the settings."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from tests.awards.support import round_of, set_up_groups, votes
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.support.web import signed_in

ROLES = ("admin", "lihua", "zhangsan", "sunqi")  # admin, director, nominee, member


@pytest.fixture
def clients(sqlite_runtime: Runtime) -> Iterator[dict[str, TestClient]]:
    load_demo(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-06-10 10:00")
    set_up_groups(sqlite_runtime)  # 李华 directs the demo team
    with signed_in(sqlite_runtime, *ROLES) as made:
        yield made


def test_nominate_vote_and_close_through_rest(clients: dict[str, TestClient]) -> None:
    director, member, admin = clients["lihua"], clients["sunqi"], clients["admin"]
    # Given a nomination by 孙七 with evidence.
    made = member.post(
        "/api/v1/awards/2026-06/nominations",
        json={"nominee": "lisi", "reason": "x", "links": []},
    )
    assert made.status_code == 409 and "连续 1 个月当选" in made.json()["message"]
    made = member.post(
        "/api/v1/awards/2026-06/nominations",
        json={"nominee": "admin", "reason": "搭好监控", "links": ["https://x.example/1"]},
    )
    assert made.status_code == 201, made.text
    bad = member.post(
        "/api/v1/awards/2026-06/nominations",
        json={"nominee": "zhaoliu", "reason": "x", "links": ["javascript:alert(1)"]},
    )
    assert bad.status_code == 422, bad.text
    # A member may not open the vote; the director may.
    assert member.post("/api/v1/awards/2026-06/phase", json={"phase": "voting"}).status_code == 403
    moved = director.post("/api/v1/awards/2026-06/phase", json={"phase": "voting"})
    assert moved.status_code == 200 and moved.json()["phase"] == "voting"
    # When 孙七 votes twice and 王管理 once.
    first = member.put("/api/v1/awards/2026-06/votes/me", json={"nominee": "zhangsan"})
    assert first.json() == {"period": "2026-06", "nominee": "zhangsan", "replaced": None}
    second = member.put("/api/v1/awards/2026-06/votes/me", json={"nominee": "admin"})
    assert second.json()["replaced"] == "zhangsan"
    assert (
        admin.put("/api/v1/awards/2026-06/votes/me", json={"nominee": "admin"}).status_code == 422
    )
    assert admin.put("/api/v1/awards/2026-06/votes/me", json={"nominee": "lisi"}).status_code == 422
    assert (
        admin.put("/api/v1/awards/2026-06/votes/me", json={"nominee": "zhangsan"}).status_code
        == 200
    )
    # Then before the close nobody sees a count: not the admin, the director, a nominee.
    for handle, client in clients.items():
        read = client.get("/api/v1/awards/2026-06")
        assert read.status_code == 200 and read.json()["tally"] is None, handle
        assert "votes" not in read.text, handle
        page = client.get("/awards")
        current = page.text.split('data-testid="awards-current"')[1].split("</section>")[0]
        assert page.status_code == 200 and "孙七" in current, handle
        assert re.search(r"\d+ 票", current) is None, handle
    assert member.get("/api/v1/awards/2026-06").json()["my_vote"] == "admin"
    assert director.get("/api/v1/awards/2026-06").json()["my_vote"] is None
    # When the director closes it, the tally is there for everyone: 张三 and 王管理 tie at one
    # vote and one nominator each, so the earlier nomination (张三's, by the demo) wins.
    closed = director.post("/api/v1/awards/2026-06/phase", json={"phase": "closed"})
    assert closed.status_code == 200 and closed.json()["winner"] == "张三", closed.text
    tally = member.get("/api/v1/awards/2026-06").json()["tally"]
    assert [(x["handle"], x["votes"]) for x in tally][:2] == [("zhangsan", 1), ("admin", 1)]
    assert "张三 1 票" in member.get("/awards").text
    listed = member.get("/api/v1/awards").json()
    assert [(r["period"], r["winner"]) for r in listed] == [
        ("2026-06", "张三"),
        ("2026-05", "李四"),
        ("2026-04", "张三"),
    ]


DEFAULT_TIMES = {"vote_days": 3, "vote_time": "09:00", "close_time": "18:00"}


@pytest.mark.parametrize("said", ["yes", "1", 1, "no"])
@pytest.mark.parametrize("switch", ["auto", "self_nomination"])
def test_a_switch_takes_true_or_false_only(
    clients: dict[str, TestClient], switch: str, said: object
) -> None:
    """A settings body's ``"auto": "yes"`` was read as true (pydantic's lax bool)."""
    admin = clients["admin"]
    before = admin.get("/api/v1/awards/settings").json()
    refused = admin.put("/api/v1/awards/settings", json={switch: said})
    assert refused.status_code == 422, refused.text
    assert refused.json()["details"][0]["loc"] == ["body", switch]
    assert admin.get("/api/v1/awards/settings").json() == before
    flipped = admin.put("/api/v1/awards/settings", json={switch: not before[switch]})
    assert flipped.status_code == 200 and flipped.json()[switch] is (not before[switch])


def test_settings_are_for_admins_and_checked(
    clients: dict[str, TestClient], sqlite_runtime: Runtime
) -> None:
    admin, member = clients["admin"], clients["sunqi"]
    assert member.get("/api/v1/awards/settings").json()["repeat_cap"] == 1
    assert member.put("/api/v1/awards/settings", json={"repeat_cap": 0}).status_code == 403
    assert admin.put("/api/v1/awards/settings", json={"close_time": "25:00"}).status_code == 422
    assert admin.get("/api/v1/awards/settings").json()["close_time"] == "18:00"
    # A vote of one minute (the tester's settings) is refused with the rule, nothing stored;
    # two hours on the last day is the least allowed.
    short = {"vote_days": 1, "vote_time": "09:00", "close_time": "08:00"}
    refused = admin.put("/api/v1/awards/settings", json=short)
    assert refused.status_code == 422 and "不足 2 小时" in refused.text, refused.text
    assert admin.get("/api/v1/awards/settings").json()["vote_days"] == 3
    least = {"vote_days": 1, "vote_time": "09:00", "close_time": "11:00"}
    assert admin.put("/api/v1/awards/settings", json=least).status_code == 200
    assert admin.put("/api/v1/awards/settings", json={"close_time": "10:59"}).status_code == 422
    assert admin.put("/api/v1/awards/settings", json=DEFAULT_TIMES).status_code == 200
    changed = admin.put("/api/v1/awards/settings", json={"repeat_cap": 0, "self_nomination": True})
    assert changed.status_code == 200 and changed.json()["repeat_cap"] == 0
    # With no cap, last month's winner may be nominated; self-nomination is allowed.
    made = member.post(
        "/api/v1/awards/2026-06/nominations", json={"nominee": "lisi", "reason": "CI 再提速"}
    )
    assert made.status_code == 201, made.text
    own = member.post(
        "/api/v1/awards/2026-06/nominations", json={"nominee": "sunqi", "reason": "自荐"}
    )
    assert own.status_code == 201, own.text
    assert votes(sqlite_runtime) == []
    assert round_of(sqlite_runtime, "2026-06").phase == "nominating"
