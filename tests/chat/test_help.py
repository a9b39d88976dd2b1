"""Chat core behaviour: help, unknown and malformed commands (given/when/then).

Storage is not the subject of the parsing and help texts: they run on SQLite. A redelivered
event is refused by the events table's unique key, so that one runs on every backend."""

from __future__ import annotations

from teamassist.chat.types import ChatType
from tests.support.chat import ChatDriver


def test_help_lists_commands_grouped_by_role(sqlite_chat: ChatDriver) -> None:
    # when the demo admin asks for help
    text = sqlite_chat.text("/帮助", as_="admin")
    # then every registered command is listed with its usage
    assert "小助理指令帮助" in text
    for spec in sqlite_chat.runtime.registry.specs:
        assert spec.usage in text
    assert "公共指令" in text


def test_english_alias_and_fullwidth_slash(sqlite_chat: ChatDriver) -> None:
    assert sqlite_chat.text("/help", as_="zhangsan") == sqlite_chat.text("／帮助", as_="zhangsan")


def test_command_only_recognised_at_start(sqlite_chat: ChatDriver) -> None:
    # the seed answered "/帮助" anywhere in a sentence; a group chat message is not a command
    assert (
        sqlite_chat.say("请问 /帮助 怎么用", as_="zhangsan", chat_key="group-1", chat_type=_group())
        is None
    )


def test_unknown_command_gets_clear_reply(sqlite_chat: ChatDriver) -> None:
    text = sqlite_chat.text("/不存在的指令 abc", as_="zhangsan")
    assert "无法识别指令" in text and "/帮助" in text


def test_help_for_one_command_and_unknown(sqlite_chat: ChatDriver) -> None:
    assert "用法：/帮助" in sqlite_chat.text("/帮助 帮助", as_="zhangsan")
    assert "无法识别指令" in sqlite_chat.text("/帮助 nope", as_="zhangsan")


def test_text_after_a_command_without_arguments_is_accepted(sqlite_chat: ChatDriver) -> None:
    # Issue #10 B: trailing words after an argument-less command are accepted, as the seed did.
    text = sqlite_chat.text("/我是谁 多余", as_="zhangsan")
    assert "多余的内容" not in text and text == sqlite_chat.text("/我是谁", as_="zhangsan")


def test_extra_arguments_are_reported(sqlite_chat: ChatDriver) -> None:
    text = sqlite_chat.text("/查看值班表 3 多余", as_="zhangsan")
    assert "多余的内容" in text and "用法：/查看值班表" in text


def test_whoami_shows_role(sqlite_chat: ChatDriver) -> None:
    text = sqlite_chat.text("/whoami", as_="admin")
    assert "王管理" in text and "管理员" in text


def test_redelivered_event_answers_nothing_twice(chat: ChatDriver) -> None:
    first = chat.say("/我是谁", as_="zhangsan", event_id="evt-1")
    second = chat.say("/我是谁", as_="zhangsan", event_id="evt-1")
    assert first is not None and second is None


def _group() -> ChatType:

    return ChatType.GROUP
