"""Text of only zero-width or control characters shows nothing, so it is refused like empty
text wherever a command needs words (the tester's `/销项 @zhangsan ​​​ 2026-12-10` made an item
titled with three U+200B; `/找组织 ​​` sent an empty letter; `/周报 完成 ​` was recorded as done).
Feedback, agenda items, nominations and career plans were fixed the same way before."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from teamassist.actions.models import ActionItem
from teamassist.org_contact.models import OrgMessage
from teamassist.reports.models import WeeklyEntry
from tests.okr.support import set_clock
from tests.outreach.support import set_up_groups
from tests.support.chat import ChatDriver

# Zero-width and direction marks (Cf); then letters that draw nothing though they are neither
# (the tester's second round): the Hangul filler, a braille blank, a lone variation selector.
NOTHINGS = ["\u200b\u200b\u202e\u200b", "\u3164", "\u2800 \u2800", "\ufe0f", "\uffa0\u115f"]


def _count(chat: ChatDriver, model: type) -> int:
    with chat.runtime.factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("nothing", NOTHINGS)
def test_a_title_letter_or_report_of_invisible_characters_is_refused(
    sqlite_chat: ChatDriver, nothing: str
) -> None:
    chat = sqlite_chat
    set_clock(chat.runtime, "2026-11-30 09:00")
    set_up_groups(chat.runtime)  # 李华 directs the demo team, who reads letters
    before = (_count(chat, ActionItem), _count(chat, OrgMessage), _count(chat, WeeklyEntry))
    reply = chat.text(f"/销项 @zhangsan {nothing} 2026-12-10", as_="lihua")
    assert "请写上销项的内容" in reply
    assert "请写上要对组织说的话" in chat.text(f"/找组织 {nothing}", as_="wangwu")
    assert "请写上要对组织说的话" in chat.text(f"/找组织 匿名 {nothing}", as_="wangwu")
    assert "请写上内容" in chat.text(f"/周报 完成 {nothing}", as_="zhangsan")
    after = (_count(chat, ActionItem), _count(chat, OrgMessage), _count(chat, WeeklyEntry))
    assert after == before
    # while visible words still go through
    assert "已创建销项" in chat.text("/销项 @zhangsan 完成接口文档 2026-12-10", as_="lihua")
    assert _count(chat, ActionItem) == before[0] + 1
