"""A typed @name with a mark or a joining word glued to it (tester F6/F7 of session 21, F4/F5
of its second tester): 「@王五: 写周报」 looked for 「王五:」, 「@张三和@李四」 for 「张三和」.
The team's member names decide: the whole name when someone has it, else the name without the
tail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from teamassist.actions.models import ActionItem
from teamassist.chat.mention_names import name_without_tail
from teamassist.database import transaction
from teamassist.team import service as team_service
from tests.support.chat import ChatDriver
from tests.team.support import demo


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("王五:", "王五"),
        ("王五;", "王五"),
        ("李四。", "李四"),
        ("张三和", "张三"),
        ("张三与:", "张三"),
    ],
)
def test_the_tail_of_a_typed_name(typed: str, name: str) -> None:
    assert name_without_tail(typed) == name


@pytest.mark.parametrize("typed", ["王五", "和", "Rand", "和平"])
def test_a_name_without_a_tail_is_left_alone(typed: str) -> None:
    assert name_without_tail(typed) is None


def _items(chat: ChatDriver) -> list[tuple[str, int]]:
    with chat.runtime.factory() as session:
        rows = session.scalars(select(ActionItem).order_by(ActionItem.id)).all()
        return [(row.title, row.owner_id) for row in rows]


def test_a_colon_or_a_glued_joining_word_after_a_mention(chat: ChatDriver) -> None:
    with chat.runtime.factory() as session:
        d = demo(session)
        wangwu = d["wangwu"].id
    before = _items(chat)
    made = chat.text("/销项 @王五: 写周报A 2026-06-10", as_="lihua")
    assert "负责「写周报A」" in made, made
    assert _items(chat)[len(before) :] == [("写周报A", wangwu)]
    # two people glued by 和: the one-owner refusal, as with spaces
    refused = chat.text("/销项 @张三和@李四 写文档 2026-06-10", as_="lihua")
    assert "一个销项只有一位负责人" in refused, refused
    assert len(_items(chat)) == len(before) + 1


def test_a_member_with_the_longer_name_wins(chat: ChatDriver) -> None:
    with transaction(chat.runtime.factory) as session:
        d = demo(session)
        team = team_service.default_team(session, workspace_id=d.workspace.id)
        team_service.create_member(
            session, workspace=d.workspace, handle="zsh", display_name="张三和", team=team
        )
    made = chat.text("/销项 @张三和 写文档 2026-06-10", as_="lihua")
    assert "@张三和 负责「写文档」" in made, made
