"""Tester M10 and O2 (session 16): a chat command's length limit was shown with the room the
parser leaves for the command's own words ("最多 520 字" for /议题, "最多 2020 字" for
/找组织, "最多 4200 字" for /职业规划 证据). People count what they wrote: the limit said is
the service's (500 / 2000 / 4000), as REST says it."""

from __future__ import annotations

import pytest

from tests.okr.support import set_clock
from tests.one_on_ones.support import make_director
from tests.outreach.support import set_up_groups
from tests.support.chat import ChatDriver


@pytest.mark.parametrize(
    ("command", "typed", "limit"),
    [
        ("/议题 @张三 ", 3000, 500),
        ("/找组织 ", 3000, 2000),
        ("/职业规划 证据 1 ", 5000, 4000),
    ],
)
def test_the_limit_said_is_what_the_person_may_type(
    chat: ChatDriver, command: str, typed: int, limit: int
) -> None:
    set_clock(chat.runtime, "2026-11-30 09:00")
    set_up_groups(chat.runtime)
    make_director(chat.runtime)
    reply = chat.text(command + "字" * typed, as_="zhangsan")
    assert f"最多 {limit} 字" in reply, reply
