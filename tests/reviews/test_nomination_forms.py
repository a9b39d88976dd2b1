"""Nominating and approving reviewers from chat (/360评价人, /批准360) and from the pages, through
the same service calls as REST; and every link the /360 reply hands out opens for the reviewer
it was sent to (SQLite: storage is walked on every backend in test_nominations)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import demo
from tests.outreach.support import ids
from tests.reviews.support import answer, close, set_up, start
from tests.support.chat import ChatDriver
from tests.support.web import give_account, sign_in


@pytest.fixture
def desk(sqlite_chat: ChatDriver) -> ChatDriver:
    set_up(sqlite_chat.runtime)
    return sqlite_chat


def _newcomer(runtime: Runtime, handle: str = "newbie", name: str = "新同事") -> None:
    """Someone who joins after the cycle started, so the default pools did not ask them."""
    with demo(runtime) as d:
        ws = team_service.get_workspace_by_key(d.session, key="demo")
        assert ws is not None
        team_service.create_member(
            d.session, workspace=ws, handle=handle, display_name=name, team=d.team
        )


def test_nominate_and_approve_in_chat(desk: ChatDriver) -> None:
    # given a cycle for 张三 and a newcomer nobody asked
    desk.text("/发起360 @zhangsan 2026-12-04", as_="lihua")
    _newcomer(desk.runtime)
    # when 张三 nominates the newcomer, it waits for the director; he owes nothing yet
    reply = desk.text("/360评价人 @zhangsan @newbie", as_="zhangsan")
    assert "已提名 新同事 评价 张三（同事）" in reply and "等负责人批准" in reply, reply
    assert "没有待填写" in desk.text("/360", as_="newbie")
    # a reviewee nominates peers only, and only for themselves
    assert "只能提名同事" in desk.text("/360评价人 @zhangsan @lisi 上级", as_="zhangsan")
    assert "只有团队负责人或管理员" in desk.text("/360评价人 @lisi @newbie", as_="zhangsan")
    assert "评价组「老板」不对" in desk.text("/360评价人 @zhangsan @newbie 老板", as_="zhangsan")
    # the director's /360 lists the nomination with the command that approves it
    mine = desk.text("/360", as_="lihua")
    assert "有 1 个提名等您批准" in mine and "/批准360 @zhangsan @newbie" in mine, mine
    # a member may not approve; the director does, and the newcomer now owes the review
    assert "只有团队负责人或管理员" in desk.text("/批准360 @zhangsan @newbie", as_="sunqi")
    assert "已邀请 新同事 评价 张三" in desk.text("/approve-360 @zhangsan @newbie", as_="lihua")
    assert "张三（同事" in desk.text("/360", as_="newbie")
    assert "不在待批准状态" in desk.text("/批准360 @zhangsan @newbie", as_="lihua")
    assert "提名等您批准" not in desk.text("/360", as_="lihua")
    # the director adds a second newcomer straight away, in the report pool
    _newcomer(desk.runtime, "newbie2", "新同事二")
    added = desk.text("/add-reviewer-360 @zhangsan @newbie2 下属", as_="lihua")
    assert "已邀请 新同事二 评价 张三（下属）" in added, added


def test_approve_names_someone_not_on_the_list(desk: ChatDriver) -> None:
    desk.text("/发起360 @zhangsan 2026-12-04", as_="lihua")
    _newcomer(desk.runtime)
    reply = desk.text("/批准360 @zhangsan @newbie", as_="lihua")
    assert "新同事 不在 张三 的评价人名单里" in reply, reply


PEOPLE = ("lihua", "zhangsan", "wangwu")


def _client(runtime: Runtime, handle: str) -> TestClient:
    client = TestClient(create_app(runtime, start_background=False))
    client.__enter__()
    sign_in(client, handle, give_account(runtime, handle))
    return client


@pytest.fixture
def clients(sqlite_runtime: Runtime) -> Iterator[dict[str, TestClient]]:
    load_demo(sqlite_runtime)
    set_up(sqlite_runtime)
    made: dict[str, TestClient] = {}
    for handle in PEOPLE:
        made[handle] = _client(sqlite_runtime, handle)
    yield made
    for client in made.values():
        client.__exit__(None, None, None)


def test_nominate_and_approve_on_the_pages(
    sqlite_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    # given a cycle for 张三, and a newcomer who joined after it started
    cycle = start(sqlite_runtime, "zhangsan")
    _newcomer(sqlite_runtime)
    clients["newbie"] = _client(sqlite_runtime, "newbie")
    people = ids(sqlite_runtime)
    # 张三's list offers the nomination form; 王五 (not reviewed) sees none
    assert 'data-testid="nominate"' in clients["zhangsan"].get("/reviews/360").text
    assert 'data-testid="nominate"' not in clients["wangwu"].get("/reviews/360").text
    # when 张三 nominates the newcomer through the form
    sent = clients["zhangsan"].post(
        f"/reviews/360/{cycle}/requests",
        data={"reviewee_id": people["zhangsan"], "reviewer_id": people["newbie"], "pool": "peer"},
        follow_redirects=True,
    )
    assert sent.status_code == 200 and 'data-testid="nominated"' in sent.text
    # a member cannot nominate for someone else (403), nor approve
    refused = clients["wangwu"].post(
        f"/reviews/360/{cycle}/requests",
        data={"reviewee_id": people["zhangsan"], "reviewer_id": people["newbie"]},
    )
    assert refused.status_code == 403
    # the director's page shows it waiting, with an approve button
    page = clients["lihua"].get(f"/reviews/360/{cycle}").text
    assert 'data-status="nominated"' in page and 'data-testid="approve"' in page
    found = re.search(rf"/reviews/360/{cycle}/requests/(\d+)/approve", page)
    assert found, page
    assert clients["wangwu"].post(found.group(0)).status_code == 403
    approved = clients["lihua"].post(found.group(0), follow_redirects=True)
    assert approved.status_code == 200 and 'data-status="nominated"' not in approved.text
    # the newcomer now has the form
    form = clients["newbie"].get(f"/reviews/360/{cycle}/answer/{people['zhangsan']}")
    assert 'data-testid="answer-form"' in form.text
    # adding the newcomer again is refused (409); a form without numbers is 422
    again = clients["lihua"].post(
        f"/reviews/360/{cycle}/requests",
        data={"reviewee_id": people["zhangsan"], "reviewer_id": people["newbie"], "pool": "peer"},
    )
    assert again.status_code == 409
    bad = clients["lihua"].post(f"/reviews/360/{cycle}/requests", data={"reviewee_id": "x"})
    assert bad.status_code == 422


def test_every_link_of_the_360_reply_opens_for_its_reviewer(
    sqlite_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    # given 王五 owes a review of 张三 and 李四, and 张三's summary of an earlier cycle is out
    first = start(sqlite_runtime, "zhangsan")
    for reviewer in ("wangwu", "lisi", "zhaoliu"):
        answer(sqlite_runtime, reviewer, "zhangsan", {"keep": "好"})
    close(sqlite_runtime)
    with demo(sqlite_runtime) as d:
        from teamassist.reviews import service

        cycle = service.get_cycle(d.session, team=d.team, cycle_id=first)
        service.release(
            d.session,
            team=d.team,
            cycle=cycle,
            reviewee=d.member("zhangsan"),
            by=d.member("lihua"),
            now=sqlite_runtime.clock(),
            quiet=True,
        )
    start(sqlite_runtime, "zhangsan", "lisi")
    # when each asks /360 in the web chat
    for handle, expected in (("wangwu", 2), ("zhangsan", 2)):
        sent = clients[handle].post("/api/v1/chat", json={"text": "/360"})
        assert sent.status_code == 200, sent.text
        text = sent.json()["text"]
        links = [
            re.sub(r"^https?://[^/]+", "", link)
            for link in re.findall(r"(?:https?://\S+?)?/reviews/360/[^\s）)]+", text)
        ]
        # then every link names the team and opens (200) for that member
        assert len(links) >= expected, text
        for link in links:
            assert "team=" in link, link
            page = clients[handle].get(link)
            assert page.status_code == 200, (link, page.text[:300])
