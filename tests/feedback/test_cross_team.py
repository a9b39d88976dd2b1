"""Another team's admin works this team's feedback desk (tester s18 F20): /确认反馈,
/标注解决, /不予处理 (and the desk's other commands) ask REST's rule, ``flows.require_desk``
on the *item's* team; the speaker's own team's desk is not enough, and nothing changes."""

from __future__ import annotations

import pytest

from teamassist.database import transaction
from teamassist.feedback.models import FeedbackStatus
from tests.feedback.support import events, items
from tests.support.chat import ChatDriver
from tests.team.support import second_team


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
