"""An action item belongs to one team and is done by one of its people (tester s18 F25, s18b
F2): /销项 @张三 by 第二团队's admin (or member) made an item 张三 was DMed about and could
neither see nor finish. Now /销项, /转交销项 and REST refuse an owner outside the item's team,
and an owner or requester reaches their item from any chat of theirs (a DM lands in their
first team), the admin and director rules asked of the item's team."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from teamassist.actions.models import ActionEvent, ActionItem, ActionState
from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.outbox.models import OutboxMessage
from teamassist.team import service as team_service
from tests.support.chat import ChatDriver
from tests.support.web import signed_in
from tests.team.support import demo, second_team


@pytest.fixture
def two_teams(chat: ChatDriver) -> Iterator[ChatDriver]:
    with transaction(chat.runtime.factory) as session:
        second_team(session)
    yield chat


def _rows(chat: ChatDriver) -> tuple[int, int, int]:
    """Items, history rows and queued messages, as stored."""
    with chat.runtime.factory() as session:
        return (
            session.scalar(select(func.count()).select_from(ActionItem)) or 0,
            session.scalar(select(func.count()).select_from(ActionEvent)) or 0,
            session.scalar(select(func.count()).select_from(OutboxMessage)) or 0,
        )


def _item(chat: ChatDriver, item_id: int) -> ActionItem:
    with chat.runtime.factory() as session:
        item = session.get(ActionItem, item_id)
        assert item is not None
        session.expunge(item)
        return item


def _new(reply: str) -> int:
    assert "已创建销项 #" in reply, reply
    return int(reply.split("#")[1].split("：")[0])


@pytest.mark.parametrize(
    ("speaker", "text"),
    [
        ("boss2", "/销项 @zhangsan 外队派活 2026-06-10"),
        ("m2", "/销项 @lisi 成员跨队派活 2026-06-10"),
        ("zhangsan", "/销项 @二队成员 反方向派活 2026-06-10"),
    ],
)
def test_an_item_is_not_given_to_another_teams_person(
    two_teams: ChatDriver, speaker: str, text: str
) -> None:
    chat = two_teams
    before = _rows(chat)
    refused = chat.text(text, as_=speaker)
    assert "不在「" in refused and "销项只布置给本团队的成员" in refused, refused
    assert "这次没有改动" in refused
    assert _rows(chat) == before


def test_rest_refuses_the_same_owner(two_teams: ChatDriver) -> None:
    chat = two_teams
    with chat.runtime.factory() as session:
        team2 = team_service.get_teams(session, workspace_id=demo(session).workspace.id)[1].id
    before = _rows(chat)
    with signed_in(chat.runtime, "boss2") as http:
        answer = http["boss2"].post(
            "/api/v1/actions",
            params={"team_id": team2},
            json={"owner": "zhangsan", "title": "外队派活", "due": "2026-06-10"},
        )
    assert answer.status_code == 422, answer.text
    assert "张三 不在「第二团队」里" in answer.json()["message"]
    assert _rows(chat) == before
    # the same words as chat
    assert answer.json()["message"] in chat.text("/销项 @zhangsan 外队派活 2026-06-10", as_="boss2")


def test_the_owner_sees_and_finishes_an_item_of_their_second_team(two_teams: ChatDriver) -> None:
    chat = two_teams
    with transaction(chat.runtime.factory) as session:
        d = demo(session)
        team2 = team_service.get_teams(session, workspace_id=d.workspace.id)[1]
        team_service.set_role(session, team=team2, member=d["zhangsan"], role=Role.MEMBER)
    item_id = _new(chat.text("/销项 @zhangsan 二队的活 2026-06-10", as_="boss2"))
    assert _item(chat, item_id).team_id == team2.id
    # 张三's direct chat lands in his first team (开发者社区): the item is listed and finished there
    assert f"#{item_id}" in chat.text("/我的销项", as_="zhangsan")
    assert "二队的活" in chat.text(f"/完成销项 {item_id}", as_="zhangsan")
    assert _item(chat, item_id).state == ActionState.DONE.value
    # its requester checks it, and team 1's admin (not team 2's) may not
    assert "找不到销项" not in chat.text(f"/确认销项 {item_id}", as_="boss2")
    assert _item(chat, item_id).state == ActionState.CLOSED.value


def test_another_teams_admin_cannot_reach_this_teams_items(two_teams: ChatDriver) -> None:
    chat = two_teams
    item_id = _new(chat.text("/销项 @zhangsan 一队的活 2026-06-10", as_="admin"))
    before = _rows(chat)
    for text in (
        f"/完成销项 {item_id}",
        f"/确认销项 {item_id}",
        f"/延期销项 {item_id} 2026-06-20 外队延期",
        f"/转交销项 {item_id} @二队成员",
    ):
        refused = chat.text(text, as_="boss2")
        assert f"找不到销项 #{item_id}" in refused, (text, refused)
    assert _rows(chat) == before
    # team 1's admin cannot hand it to team 2's person either
    refused = chat.text(f"/转交销项 {item_id} @二队成员", as_="admin")
    assert "二队成员 不在「开发者社区」里" in refused and "这次没有改动" in refused, refused
    assert _item(chat, item_id).owner_id == _id(chat, "zhangsan")
    assert _rows(chat) == before
    # …but to one of its own
    assert "李四" in chat.text(f"/转交销项 {item_id} @lisi", as_="admin")
    assert _item(chat, item_id).owner_id == _id(chat, "lisi")


def test_each_team_still_gives_its_own_people_items(two_teams: ChatDriver) -> None:
    chat = two_teams
    item_id = _new(chat.text("/销项 @二队成员 二队文档 2026-06-10", as_="boss2"))
    assert f"#{item_id}" in chat.text("/我的销项", as_="m2")
    assert "二队文档" in chat.text(f"/完成销项 {item_id}", as_="m2")
    _new(chat.text("/销项 @lisi 一队文档 2026-06-10", as_="zhangsan"))


def _id(chat: ChatDriver, handle: str) -> int:
    with chat.runtime.factory() as session:
        return demo(session)[handle].id


def test_the_page_shows_a_team_s_items_only_to_its_people(two_teams: ChatDriver) -> None:
    """``/actions?team=1`` listed team 1's items to 第二团队's boss2 while
    ``GET /api/v1/actions?team_id=1`` answered 403 (testers s18-19): the same rule now."""
    chat = two_teams
    item = _new(chat.text("/销项 @lisi 一队内部的事 2026-06-10", as_="admin"))
    with chat.runtime.factory() as session:
        d = demo(session)
        team1, team2 = (t.id for t in team_service.get_teams(session, workspace_id=d.workspace.id))
    with signed_in(chat.runtime, "boss2", "lisi") as http:
        refused = http["boss2"].get("/actions", params={"team": team1})
        assert refused.status_code == 403, refused.text[:300]
        assert "一队内部的事" not in refused.text
        assert http["boss2"].get("/api/v1/actions", params={"team_id": team1}).status_code == 403
        own = http["boss2"].get("/actions", params={"team": team2})
        assert own.status_code == 200 and "一队内部的事" not in own.text
        # the team's own people still read it
        page = http["lisi"].get("/actions", params={"team": team1})
        assert page.status_code == 200 and "一队内部的事" in page.text, item


def test_without_a_team_a_member_of_another_team_gets_their_own(two_teams: ChatDriver) -> None:
    """Tester F3 (session 20): boss2 and m2, in 第二团队 only, following the menu's 销项 link
    (``/actions``, no ``?team=``) got a 403, as did REST without ``team_id``: both meant the
    workspace's first team. They now mean the caller's own team; team 1's people keep team 1."""
    chat = two_teams
    mine = _new(chat.text("/销项 @二队成员 二队自己的事 2026-06-10", as_="boss2"))
    _new(chat.text("/销项 @lisi 一队内部的事 2026-06-10", as_="admin"))
    with signed_in(chat.runtime, "boss2", "m2", "lisi") as http:
        for handle in ("boss2", "m2"):
            page = http[handle].get("/actions")
            assert page.status_code == 200, (handle, page.text[:300])
            assert "二队自己的事" in page.text and "一队内部的事" not in page.text
            listed = http[handle].get("/api/v1/actions")
            assert listed.status_code == 200, listed.text
            assert [i["id"] for i in listed.json()["items"]] == [mine], listed.json()
        first = http["lisi"].get("/actions")
        assert first.status_code == 200 and "一队内部的事" in first.text
