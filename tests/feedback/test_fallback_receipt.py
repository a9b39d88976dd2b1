"""When nobody is on duty, the receipt names the fallback owner as such, not as on duty."""

from __future__ import annotations

from tests.feedback.support import given_nobody_on_duty
from tests.support.chat import ChatDriver


def test_receipt_when_nobody_is_on_duty(sqlite_chat: ChatDriver) -> None:
    given_nobody_on_duty(sqlite_chat.runtime)
    text = sqlite_chat.text("/问题反馈 夜里登录不了", as_="zhangsan")
    assert "我已经通知默认跟进人「@王管理」" in text
    assert "负责人" not in text  # the director's and the lead role's word
    assert "技术值班人员" not in text
    assert "现在没有人值班" in text
