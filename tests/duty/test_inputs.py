"""Ranges and messages of duty commands (issue #10 G): one date reader with a window for every
duty command, day counts that say they are day counts, invalid dates called invalid dates, and a
mixed add list that adds the new people and names the ones already in. Demo: 技术 张三→李四→王五,
产品 赵六→孙七→李华, today is Monday 2026-06-01, 09:00 in Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from teamassist.clock import FrozenClock, pinned
from teamassist.duty import dates, messages
from teamassist.exceptions import DomainError
from tests.duty.helpers import demo_team, snapshot
from tests.support.chat import ChatDriver

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "/值班暂停 9999-12-31",
            "日期 9999-12-31 超出了可以安排的范围（2016-01-01 至 2036-12-31）",
        ),
        ("/值班代班 @sunqi 2026-06-05 9999-12-31", "日期 9999-12-31 超出了可以安排的范围"),
        ("/值班人员增加 @sunqi 9999-12-31", "超出了可以安排的范围"),
        ("/值班换班 @lisi 9999-12-31 @sunqi", "超出了可以安排的范围"),
        ("/值班换班 @lisi 2026-02-30 @sunqi", "「2026-02-30」不是有效的日期"),
        ("/值班日历 9999-12-31 休息", "超出了可以安排的范围"),
        ("/取消代班 9999-12-31", "超出了可以安排的范围"),
        ("/撤销排班变更 9999-12-31", "超出了可以安排的范围"),
        ("/值班人员增加 @王管理 2026-02-30", "「2026-02-30」不是有效的日期"),
        ("/值班暂停 2026-13-01", "「2026-13-01」不是有效的日期"),
        ("/值班暂停 20260230", "「20260230」不是有效的日期"),
        ("/查看值班表 0", "至少查看 1 天的值班表"),
        ("/查看值班表 -3", "至少查看 1 天的值班表"),
        ("/查看值班表 abc", "「abc」不是天数，请写 1 到 31 之间的数字"),
        ("/查看值班表 99999999999999", "不是天数"),
    ],
)
def test_out_of_range_and_invalid_input_gets_a_clear_reply(
    sqlite_chat: ChatDriver, command: str, expected: str
) -> None:
    before = snapshot(sqlite_chat.runtime)
    text = sqlite_chat.text(command, as_="admin")
    assert expected in text
    assert "错误编号" not in text and "编号" not in text and "找不到轮值" not in text
    assert snapshot(sqlite_chat.runtime) == before


def test_the_date_reader_window_and_shapes() -> None:
    assert dates.parse("2036-12-31", TODAY) == date(2036, 12, 31)
    assert dates.parse("明天", TODAY) == date(2026, 6, 2)
    assert dates.parse("技术", TODAY) is None  # a word, not a date
    for token in ("2037-01-01", "2015-12-31", "0001-01-01"):
        with pytest.raises(DomainError) as refused:
            dates.parse(token, TODAY)
        assert refused.value.key == "duty.error.date_out_of_range"
    for token in ("2026-02-30", "2026/02/30", "2026-6-31", "99999-01-01"):
        with pytest.raises(DomainError) as refused:
            dates.parse(token, TODAY)
        assert refused.value.key == "duty.error.bad_date"


def test_a_mixed_add_list_adds_the_new_people_and_names_the_one_already_in(
    sqlite_chat: ChatDriver,
) -> None:
    assert "已把 @李华 加入「技术」轮值" in sqlite_chat.text("/值班人员增加 @李华", as_="admin")
    reply = sqlite_chat.text("/值班人员增加 @lihua @sunqi", as_="admin")
    assert "已把 @孙七 加入「技术」轮值" in reply
    assert "@李华 已经在「技术」轮值里了，没有重复添加" in reply
    team, members = demo_team(sqlite_chat.runtime)
    roster = sqlite_chat.text("/查看值班表 6", as_="admin")
    # 张三 (today), 李四, 王五, 李华, 孙七: each once, in the order they were added
    assert [
        line.split("」")[1].split("　")[0] for line in roster.split("\n") if "「技术」" in line
    ] == [
        "@张三",
        "@李四",
        "@王五",
        "@李华",
        "@孙七",
        "@张三",
    ]
    # all of them already in: refused, naming one, nothing changed
    before = snapshot(sqlite_chat.runtime)
    assert "「李华」已经在「技术」轮值里了" in sqlite_chat.text(
        "/值班人员增加 @lihua @sunqi", as_="admin"
    )
    assert snapshot(sqlite_chat.runtime) == before
    assert team.id and members


def test_calendar_words_and_times_come_from_the_catalogue(sqlite_chat: ChatDriver) -> None:
    assert "按中国法定工作日值班" in sqlite_chat.text("/值班日历 法定工作日", as_="admin")
    assert "周一至周五值班" in sqlite_chat.text("/值班日历 周一至周五", as_="admin")
    assert "休息日" in sqlite_chat.text("/值班日历 2026-06-09 休息", as_="admin")
    assert "值班日" in sqlite_chat.text("/值班日历 2026-06-13 work", as_="admin")
    assert messages.hour_words("00:00") == "12点"
    assert messages.hour_words("07:30") == "7点30分"


def test_the_date_window_follows_the_process_clock_not_the_machines() -> None:
    """item 6 of h-fix23 (session 23): ``duty.dates.check`` without a today read the machine's
    clock, so a pinned clock (the CLI's ``--now``, a test runtime) far from it got the wrong
    window: at 2040-01-01, 2049 (within ten years) was refused."""
    with pinned(FrozenClock(datetime(2040, 1, 1, tzinfo=UTC))):
        assert dates.check(date(2049, 5, 1)) == date(2049, 5, 1)
