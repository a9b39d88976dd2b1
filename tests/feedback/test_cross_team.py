"""Another team's admin works this team's feedback desk (tester s18 F20): /确认反馈,
/标注解决, /不予处理 (and the desk's other commands) ask REST's rule, ``flows.require_desk``
on the *item's* team; the speaker's own team's desk is not enough, and nothing changes."""

from __future__ import annotations

import pytest

from teamassist.database import transaction
from teamassist.feedback.models import FeedbackStatus
from tests.feedback.support import events, items
from tests.support.chat import ChatDriver
from tests.support.web import signed_in
from tests.team.support import demo, second_team


@pytest.fixture
def two_teams(chat: ChatDriver) -> ChatDriver:
    with transaction(chat.runtime.factory) as session:
        second_team(session)
    return chat


def _report(chat: ChatDriver, as_: str = "zhangsan") -> int:
    chat.text(f"/问题反馈 登录页面打不开（{as_}）", as_=as_)
    return items(chat.runtime)[-1].id


def test_another_teams_admin_cannot_work_this_teams_feedback(two_teams: ChatDriver) -> None:
    chat = two_teams
    item_id = _report(chat)
    for command in (
        f"/确认反馈 {item_id}",
        f"/标注解决 {item_id} 外队关闭",
        f"/不予处理 {item_id} 外队拒绝",
        f"/指派反馈 {item_id} @二队成员",
    ):
        refused = chat.text(command, as_="boss2")
        assert f"反馈 #{item_id} 属于「开发者社区」" in refused, (command, refused)
        assert "这次没有改动" in refused
    # reading it: the reporter, the owner or the item's own desk (a lead of team 2 no longer)
    assert "需要有权限的人" in chat.text(f"/反馈详情 {item_id}", as_="boss2")
    item = next(i for i in items(chat.runtime) if i.id == item_id)
    assert item.status == FeedbackStatus.OPEN
    assert events(chat.runtime, item_id) == []
    # team 1's admin still works it; boss2 works their own team's
    assert "小助理已经更新" in chat.text(f"/标注解决 {item_id}", as_="admin")
    theirs = _report(chat, as_="m2")
    assert "小助理已经更新" in chat.text(f"/标注解决 {theirs}", as_="boss2")


def _team1(chat: ChatDriver) -> int:
    with chat.runtime.factory() as session:
        return demo(session).team.id


def _texts(found: dict[str, object]) -> set[str]:
    rows = found["items"]
    assert isinstance(rows, list)
    return {str(row["text"]) for row in rows}


def test_another_teams_desk_lists_none_of_this_teams_feedback(two_teams: ChatDriver) -> None:
    """Listing asks /反馈详情's rule (tester s18b F6): 第二团队's admin searched 开发者社区's
    feedback by chat and REST and read its reporters' names."""
    chat = two_teams
    ours = _report(chat)  # 张三, team 1
    theirs = _report(chat, as_="m2")  # team 2
    # chat: /查找反馈 and /当日反馈 show team 2's item only, and no team-1 reporter
    found = chat.text("/查找反馈 登录页面", as_="boss2")
    assert "（m2）" in found and "张三" not in found and f"id=「{ours}」" not in found, found
    today = chat.text("/当日反馈", as_="boss2")
    assert f"{theirs}" in today and "（m2）" in today, today
    assert f"{ours}" not in today and "（zhangsan）" not in today and "张三" not in today, today
    # team 1's desk still finds its own item (and not team 2's)
    found = chat.text("/查找反馈 登录页面", as_="admin")
    assert "（zhangsan）" in found and "（m2）" not in found, found
    # REST, CSV and the board: the same answer as chat
    with signed_in(chat.runtime, "boss2", "admin", "zhangsan") as http:
        listed = http["boss2"].get("/api/v1/feedback/items", params={"q": "登录页面"}).json()
        assert _texts(listed) == {"登录页面打不开（m2）"}
        # naming team 1 is refused outright by the team gate (dcb26de), nothing listed
        asked = http["boss2"].get("/api/v1/feedback/items", params={"team_id": _team1(chat)})
        assert asked.status_code == 403, asked.text
        assert asked.json()["error"] == "core.error.not_in_team", asked.json()
        csv = http["boss2"].get("/api/v1/feedback/items.csv").text
        assert "（m2）" in csv and "（zhangsan）" not in csv and "张三" not in csv
        board = http["boss2"].get("/feedback").text
        assert "（m2）" in board and "（zhangsan）" not in board
        listed = http["admin"].get("/api/v1/feedback/items", params={"q": "登录页面"}).json()
        assert "登录页面打不开（zhangsan）" in _texts(listed)
        assert "登录页面打不开（m2）" not in _texts(listed)
        # a reporter off the desk still lists their own report
        own = http["zhangsan"].get("/api/v1/feedback/items").json()
        assert "登录页面打不开（zhangsan）" in _texts(own)


def test_an_item_is_assigned_only_to_someone_of_its_team(two_teams: ChatDriver) -> None:
    """Tester F4 (session 22): 开发者社区's admin assigned its item to 二队成员 (only in
    第二团队), who then confirmed and resolved it. Refused now, in chat and REST alike (the same
    service), nothing changed; a member of the item's team is still assigned."""
    chat = two_teams
    item_id = _report(chat)
    refused = chat.text(f"/指派反馈 {item_id} @m2", as_="admin")
    assert refused == (
        "二队成员 不在「开发者社区」里：这条反馈只能指派给「开发者社区」的成员"
        "（TA 才能确认、处理它）。这次没有改动。"
    ), refused
    with signed_in(chat.runtime, "admin") as http:
        answer = http["admin"].post(
            f"/api/v1/feedback/items/{item_id}/assign", json={"owner": "m2"}
        )
    assert answer.status_code == 422, answer.text
    assert "不在「开发者社区」里" in answer.json()["message"]
    assert "需要有权限的人" in chat.text(f"/反馈详情 {item_id}", as_="m2")
    assert events(chat.runtime, item_id) == []
    assert "指派给「@李四」" in chat.text(f"/指派反馈 {item_id} @lisi", as_="admin")


def test_an_item_joins_no_item_of_another_team(two_teams: ChatDriver) -> None:
    # given an item of each team (tester s23 F15: a login bug merged into another team's outage)
    chat = two_teams
    ours, theirs = _report(chat), _report(chat, as_="m2")
    # when 开发者社区's admin marks ours a duplicate of theirs, in chat and over REST
    refused = chat.text(f"/重复反馈 {ours} {theirs}", as_="admin")
    assert refused == (
        f"id=「{theirs}」的反馈不是「开发者社区」的：只能合并到本团队的反馈，这次没有改动。"
    ), refused
    with signed_in(chat.runtime, "admin") as clients:
        answer = clients["admin"].post(
            f"/api/v1/feedback/items/{ours}/duplicate", json={"original_id": theirs}
        )
    assert answer.status_code == 422, answer.text
    # then nothing changed on either item
    found = {i.id: i for i in items(chat.runtime)}
    assert found[ours].status == FeedbackStatus.OPEN and found[ours].duplicate_of_id is None
    assert found[theirs].plus_ones == 0
    assert events(chat.runtime, ours) == [] and events(chat.runtime, theirs) == []
