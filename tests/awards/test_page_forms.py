"""The /awards page's forms: nominate with evidence, vote (and change it), and the director's
phase moves, through the same service calls as /提名, /投票 and REST; a member may not move a
phase, nobody may nominate or vote for themselves, and no count shows before the close
(SQLite: the storage races are walked on every backend in test_races)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from tests.awards.support import ids, round_of, set_up_groups, votes
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.support.web import signed_in

ROLES = ("lihua", "sunqi", "wangwu")  # director, two members


@pytest.fixture
def clients(sqlite_runtime: Runtime) -> Iterator[dict[str, TestClient]]:
    load_demo(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-06-10 10:00")
    set_up_groups(sqlite_runtime)  # 李华 directs the demo team
    with signed_in(sqlite_runtime, *ROLES) as made:
        yield made


def _current(page: str) -> str:
    return page.split('data-testid="awards-current"')[1].split("</section>")[0]


def test_nominate_vote_and_close_on_the_page(
    sqlite_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    people = ids(sqlite_runtime)
    director, sunqi, wangwu = clients["lihua"], clients["sunqi"], clients["wangwu"]
    # given the round of 2026-06 taking nominations: the form offers colleagues, not oneself
    page = sunqi.get("/awards").text
    assert 'data-testid="awards-nominate"' in page
    offered = re.findall(r'<option value="(\d+)">', _current(page))
    assert str(people["wangwu"]) in offered and str(people["sunqi"]) not in offered
    # a member sees no phase buttons; the director does
    assert 'data-testid="awards-director"' not in page
    assert 'data-testid="awards-director"' in director.get("/awards").text
    # when 孙七 nominates 王五 with a reason and one evidence link
    sent = sunqi.post(
        "/awards/nominate",
        data={
            "nominee_id": people["wangwu"],
            "reason": "把发布时间从一小时缩到十分钟",
            "links": "https://ci.example/run/1\n",
        },
        follow_redirects=True,
    )
    assert sent.status_code == 200 and 'data-testid="awards-done"' in sent.text
    # then the page lists him with the reason and the evidence
    current = _current(sent.text)
    assert "王五" in current and "把发布时间从一小时缩到十分钟" in current
    assert 'href="https://ci.example/run/1"' in current
    # nominating oneself is refused (422), an empty reason too, and nothing is added
    assert (
        sunqi.post(
            "/awards/nominate", data={"nominee_id": people["sunqi"], "reason": "我自己"}
        ).status_code
        == 422
    )
    assert (
        wangwu.post("/awards/nominate", data={"nominee_id": people["sunqi"], "reason": " "})
    ).status_code == 422
    # 王五 nominates 赵六, so a vote has a choice
    wangwu.post("/awards/nominate", data={"nominee_id": people["zhaoliu"], "reason": "带新人"})
    # a member may not open the vote
    assert sunqi.post("/awards/phase", data={"phase": "voting"}).status_code == 403
    # the director opens the vote from the page
    moved = director.post("/awards/phase", data={"phase": "voting"}, follow_redirects=True)
    assert moved.status_code == 200 and 'data-phase="voting"' in moved.text
    # 孙七 votes for 王五, then changes to 赵六: one vote, the last one
    page = sunqi.get("/awards").text
    assert 'data-testid="awards-vote"' in page
    sunqi.post("/awards/vote", data={"nominee_id": people["wangwu"]})
    voted = sunqi.post(
        "/awards/vote", data={"nominee_id": people["zhaoliu"]}, follow_redirects=True
    )
    assert "我的投票：赵六" in voted.text
    assert votes(sqlite_runtime) == [(people["sunqi"], people["zhaoliu"])]
    # 王五 may not vote for himself (422) and the vote form does not offer him
    assert wangwu.post("/awards/vote", data={"nominee_id": people["wangwu"]}).status_code == 422
    assert f'value="{people["wangwu"]}"' not in _current(wangwu.get("/awards").text)
    wangwu.post("/awards/vote", data={"nominee_id": people["zhaoliu"]})
    # no count shows before the close, to anyone
    for client in clients.values():
        assert not re.search(r"\d+ 票", _current(client.get("/awards").text))
    # the director closes it: 赵六 wins 2 votes to 0, shown in the history
    closed = director.post("/awards/phase", data={"phase": "closed"}, follow_redirects=True)
    assert closed.status_code == 200
    assert round_of(sqlite_runtime, "2026-06").winner_id == people["zhaoliu"]
    history = closed.text.split('data-testid="awards-history"')[1]
    assert "赵六 2 票" in history
    # with no round open the director is offered the next one; a bad move is refused
    assert 'value="open"' in closed.text
    assert director.post("/awards/phase", data={"phase": "sideways"}).status_code in (409, 422)
