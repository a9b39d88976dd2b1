"""Messages that are not commands, on every backend: the help hint with the closest commands
(chat.suggest)."""

from __future__ import annotations

from teamassist.chat.types import ChatType
from tests.support.chat import ChatDriver


def test_small_talk_gets_the_help_hint(chat: ChatDriver) -> None:
    reply = chat.text("你好呀", as_="zhangsan")
    assert reply.startswith("我还不会闲聊，试试 /帮助"), reply
    assert "你是不是想用" not in reply


def test_a_misspelt_command_gets_the_closest_names(chat: ChatDriver) -> None:
    reply = chat.text("/进站 KR-2 10", as_="zhangsan")
    assert "无法识别指令「/进站」" in reply and "你是不是想用 /进展" in reply, reply
    # An English alias, one letter off.
    assert "/帮助" in chat.text("/hepl", as_="zhangsan").split("你是不是想用")[1]


def test_english_small_talk_is_not_taken_for_a_command(chat: ChatDriver) -> None:
    """A tester's "thanks!" was offered /评价 (its alias "rank" shares three letters)."""
    reply = chat.text("thanks!", as_="zhangsan")
    assert reply.startswith("我还不会闲聊"), reply
    assert "/评价" not in reply


def test_a_command_named_inside_a_sentence_is_suggested(chat: ChatDriver) -> None:
    reply = chat.text("我想看看我的销项", as_="zhangsan")
    assert "你是不是想用 /我的销项" in reply and "我还不会闲聊" in reply, reply


def test_group_chatter_is_still_not_answered(chat: ChatDriver) -> None:
    assert chat.say("你好呀", as_="zhangsan", chat_key="g1", chat_type=ChatType.GROUP) is None


def test_english_small_talk_gets_the_english_line_too(chat: ChatDriver) -> None:
    """Tester F4 (session 16): "thanks!" and "hello" got a Chinese-only hint."""
    for text in ("thanks!", "hello"):
        reply = chat.text(text, as_="zhangsan")
        assert "我还不会闲聊" in reply and "send /help for the commands" in reply, reply
    # Chinese small talk stays Chinese only.
    assert "send /help" not in chat.text("谢谢", as_="zhangsan")
