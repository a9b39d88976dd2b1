"""A 1on1 pair is a manager and a report of one team: another team's admin (standing in for
its director) may not make themselves the manager of this team's people (tester 2, session 18:
boss2 of 第二团队 set up weekly 1on1s with 赵六 of 开发者社区 and read their OKRs and overdue
items; 赵六 could not even see the pair)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from teamassist.database import transaction
from teamassist.one_on_ones.models import OneOnOne
from tests.support.chat import ChatDriver
from tests.team.support import second_team


@pytest.fixture
def two_teams(chat: ChatDriver) -> ChatDriver:
    with transaction(chat.runtime.factory) as session:
        second_team(session)
    return chat


def _pairs(chat: ChatDriver) -> int:
    with chat.runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(OneOnOne)) or 0


def test_another_teams_admin_cannot_pair_with_this_teams_people(two_teams: ChatDriver) -> None:
    chat = two_teams
    before = _pairs(chat)
    for handle in ("zhaoliu", "zhangsan"):
        refused = chat.text(f"/一对一 @{handle} 每两周 周四 10:00", as_="boss2")
        assert "已设定1on1" not in refused, refused
    assert _pairs(chat) == before
    # Their own team's people they still may.
    made = chat.text("/一对一 @m2 每两周 周四 10:00", as_="boss2")
    assert "已设定1on1" in made, made
    assert _pairs(chat) == before + 1
