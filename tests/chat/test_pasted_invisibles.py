"""Characters nobody sees and nobody meant: a zero-width space pasted before a command's
argument, control characters (BEL, ESC) inside a feedback, and an emoji name typed without its
variation selector (session 14 tester)."""

from __future__ import annotations

from sqlalchemy import select

from teamassist.feedback.models import FeedbackItem
from teamassist.team.models import Member
from tests.support.chat import ChatDriver


def test_help_for_a_command_with_a_pasted_zero_width_space(sqlite_chat: ChatDriver) -> None:
    for pasted in ("/帮助 \u200b通知", "/帮助 通知\u200b", "\ufeff/帮助 \u2060通知"):
        reply = sqlite_chat.text(pasted, as_="admin")
        assert "无法识别" not in reply, pasted
        assert "/通知 <群名> <内容>" in reply, pasted


def test_a_feedback_keeps_no_control_characters(sqlite_chat: ChatDriver) -> None:
    reply = sqlite_chat.text(
        "/问题反馈 登录页\x1b[31m打不开\x07\x00了\n第二行\t缩进", as_="zhangsan"
    )
    assert "\x1b" not in reply and "\x07" not in reply
    with sqlite_chat.runtime.factory() as session:
        stored = session.scalars(select(FeedbackItem.text)).all()
    assert stored[-1] == "登录页[31m打不开了\n第二行\t缩进"


def test_an_emoji_name_is_found_with_or_without_its_variation_selector(chat: ChatDriver) -> None:
    """On every backend: the fallback compares names through SQL REPLACE."""
    sqlite_chat = chat
    with sqlite_chat.runtime.factory() as session:
        member = session.scalars(select(Member).where(Member.handle == "zhangsan")).one()
        member.display_name = "阿星❤️"  # U+2764 U+FE0F, as a phone keyboard sends it
        session.commit()
    # the second without U+FE0F, as a desktop one does; each its own item, as the same one
    # twice within ten minutes is a repeat (51b81db)
    for number, typed in enumerate(("@阿星❤️", "@阿星❤")):
        reply = sqlite_chat.text(f"/销项 {typed} 整理接口文档{number} 2026-12-10", as_="lihua")
        assert "已创建销项" in reply, (typed, reply)
        assert "找不到" not in reply
