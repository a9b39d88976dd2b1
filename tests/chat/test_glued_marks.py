"""A half-width ``:``/``;`` glued to a mention and to the text after it (outside testers F5 of
session 22, F6/F7 of session 21): 「/销项 @王五:写周报」 and 「/设置称呼 @张三;张工」 looked for
one member 「王五:写周报」. The team's member names decide where the name ends: the longest name
somebody has, else the first mark, as the full-width ``：``/``；`` end it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from teamassist.actions.models import ActionItem
from teamassist.chat import parser
from teamassist.chat.mention_names import glued_cut
from teamassist.chat.registry import Arg, ArgKind, CommandSpec
from teamassist.chat.types import Reply
from teamassist.database import transaction
from teamassist.team import service as team_service
from teamassist.team.models import Member
from tests.support.chat import ChatDriver
from tests.team.support import demo

NAMES = {"王五", "张三", "李四", "王五:运维"}


@pytest.mark.parametrize(
    ("typed", "cut"),
    [
        ("王五:写周报", 2),
        ("张三;张工", 2),
        ("王五:", 2),
        ("王五:运维:写文档", 5),  # the longer name somebody has wins
        ("王五:运维", None),  # somebody has the whole name
        ("赵九:写周报", 2),  # nobody: the first mark ends it
        ("王五", None),
        (":王五", None),  # a mark first is no end of a name
    ],
)
def test_where_a_glued_mark_ends_a_name(typed: str, cut: int | None) -> None:
    assert glued_cut(typed, NAMES.__contains__) == cut


def test_the_parser_leaves_the_mark_and_the_text_after_the_name() -> None:
    spec = CommandSpec(
        key="actions.create",
        handler=lambda _ctx, _args: Reply(),
        args=(Arg("owner", ArgKind.MEMBER), Arg("text", ArgKind.TEXT, required=False)),
    )
    args = parser.parse_args(spec, "@王五:写周报 周五", date(2026, 6, 1), None, NAMES.__contains__)
    assert (args["owner"].name, args["owner"].raw, args["text"]) == (
        "王五",
        "@王五",
        ":写周报 周五",
    )
    # without the member names (a caller that gives none) the name runs on, as before
    alone = parser.parse_args(spec, "@王五:写周报 周五", date(2026, 6, 1))
    assert (alone["owner"].name, alone["text"]) == ("王五:写周报", "周五")


@pytest.mark.parametrize("glue", [";", "；", "，", ",", "、", " 和 ", "和", " "])
def test_a_list_of_mentions_joined_by_marks_or_words(glue: str) -> None:
    spec = CommandSpec(
        key="duty.add", handler=lambda _ctx, _args: Reply(), args=(Arg("who", ArgKind.MEMBERS),)
    )
    # 「/值班人员增加 @张三；@李四」 read 「；@李四」 as the rotation's name
    args = parser.parse_args(spec, f"@张三{glue}@李四", date(2026, 6, 1), None, NAMES.__contains__)
    assert [token.name for token in args["who"]][-1] == "李四"


def _items(chat: ChatDriver) -> list[tuple[str, int]]:
    with chat.runtime.factory() as session:
        rows = session.scalars(select(ActionItem).order_by(ActionItem.id)).all()
        return [(row.title, row.owner_id) for row in rows]


def test_an_action_item_for_a_name_with_a_glued_colon(chat: ChatDriver) -> None:
    with chat.runtime.factory() as session:
        wangwu = demo(session)["wangwu"].id
    before = _items(chat)
    made = chat.text("/销项 @王五:写周报 2026-06-10", as_="lihua")
    assert "@王五 负责「写周报」" in made, made
    made = chat.text("/销项 @王五;写月报 2026-06-10", as_="lihua")
    assert "@王五 负责「写月报」" in made, made
    assert _items(chat)[len(before) :] == [("写周报", wangwu), ("写月报", wangwu)]
    # nobody of that name: the refusal names the name, not the name and the title
    assert "找不到成员「赵九」" in chat.text("/销项 @赵九:写周报 2026-06-10", as_="lihua")


def test_a_member_whose_name_holds_the_mark_wins(chat: ChatDriver) -> None:
    with transaction(chat.runtime.factory) as session:
        d = demo(session)
        team = team_service.default_team(session, workspace_id=d.workspace.id)
        ops = team_service.create_member(
            session, workspace=d.workspace, handle="ww-ops", display_name="王五:运维", team=team
        ).id
    made = chat.text("/销项 @王五:运维:写文档 2026-06-10", as_="lihua")
    assert "@王五:运维 负责「写文档」" in made, made
    assert _items(chat)[-1] == ("写文档", ops)


def test_a_nickname_after_a_glued_semicolon(chat: ChatDriver) -> None:
    said = chat.text("/设置称呼 @张三;张工", as_="admin")
    assert "称呼 @张三 为「张工」" in said, said
    said = chat.text("/设置称呼 @张三:张哥", as_="admin")
    assert "称呼 @张三 为「张哥」" in said, said
    with chat.runtime.factory() as session:
        zhangsan = session.scalars(select(Member).where(Member.handle == "zhangsan")).one()
        assert zhangsan.display_name == "张三"


def test_a_bulk_message_to_a_name_with_a_glued_colon(chat: ChatDriver) -> None:
    with chat.runtime.factory() as session:
        zhangsan = demo(session)["zhangsan"].id
    said = chat.text("/群发 全员群 @张三:请提交周报", as_="admin")
    assert "逐个私信「全员群」的 1 位成员" in said, said
    [dm] = [m for m in chat.queued() if m.idempotency_key.startswith("announcements:")]
    assert dm.idempotency_key.endswith(f":m{zhangsan}"), dm.idempotency_key
    assert "请提交周报" in dm.payload["body"] and "@" not in dm.payload["body"], dm.payload


def test_two_names_after_one_at_are_told_to_take_an_at_each(chat: ChatDriver) -> None:
    """Tester s23 F2: 「/群发 全员群 @孙七和赵六 请交材料3」 said 「找不到成员「孙七和赵六」」 as
    if nobody were called so; both are members. Nothing is sent."""
    before = len(chat.queued())
    said = chat.text("/群发 全员群 @孙七和赵六 请交材料3", as_="admin")
    assert said == (
        "小助理找不到成员「孙七和赵六」：要提到几个人，请每人写一个 @，例如 @孙七 @赵六。"
    ), said
    assert len(chat.queued()) == before
    assert "找不到成员「孙七和赵九」，请确认" in chat.text(
        "/群发 全员群 @孙七和赵九 请交材料3", as_="admin"
    )
