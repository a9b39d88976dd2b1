"""Tester s29 F-8: after 「/值班日历 法定工作日」 on a Saturday, today's shift ended at once and
/今日值班 said nobody, while /查看值班表 still marked today's person as on duty: people brought
today's problems to someone who no longer got them. The roster marks a piece already over."""

from __future__ import annotations

from tests.okr.support import set_clock
from tests.support.chat import ChatDriver


def _today_line(roster: str) -> str:
    blocks = roster.split("\n\n")
    [today] = [b for b in blocks if "今日值班" in b]
    return today


def test_a_shift_ended_by_a_calendar_switch_is_marked_ended(sqlite_chat: ChatDriver) -> None:
    set_clock(sqlite_chat.runtime, "2026-12-05 10:00")  # a Saturday, Beijing
    before = _today_line(sqlite_chat.text("/查看值班表 2", as_="zhangsan"))
    assert "12-05 周六" in before and "「技术」@" in before, before
    assert "已结束" not in before
    switched = sqlite_chat.text("/值班日历 法定工作日", as_="admin")
    assert "按中国法定工作日值班" in switched, switched
    assert "现在没有人值班" in sqlite_chat.text("/今日值班", as_="zhangsan")
    after = _today_line(sqlite_chat.text("/查看值班表 2", as_="zhangsan"))
    person = before.split("「技术」", 1)[1].split()[0].split("「")[0]
    assert f"「技术」{person}（已结束）" in after, (person, after)
    # tomorrow (a Sunday, now a day off) is 休息; nothing else of the table is marked
    assert after.count("（已结束）") == 1
