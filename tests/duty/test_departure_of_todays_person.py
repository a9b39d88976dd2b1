"""Deactivating today's person on duty says that today's shift has lost them and how to name
a cover, in the reply and to the team's admins (REST's caller too, whose answer has no text).

Tester (session 18, F14): today 「产品」@赵六, ``/停用成员 @赵六`` answered only
「已停用 赵六…」 and ``/今日值班`` then said 「「产品」现在没有人值班」. Their later days go to
the rotation without them (the roster change from tomorrow); today's running shift is not
handed to anyone unasked.
Demo: 技术 张三→李四→王五, 产品 赵六→孙七→李华 daily, today Monday 2026-06-01 09:00 Shanghai.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.duty.helpers import demo_team
from tests.duty.test_departure_covers_swaps import _notices_to
from tests.support.chat import ChatDriver
from tests.support.web import sign_in

_SAID = (
    "⚠️「赵六」正在「产品」值班，停用后今天（2026-06-01）剩下的班无人值班，请安排人接替："
    "/值班代班 @孙七 2026-06-01 产品。明天起按轮值由其他人值班。"
)


def _gap_notices(chat: ChatDriver, handle: str) -> list[str]:
    return [n for n in _notices_to(chat, handle) if "剩下的班" in n]


def test_the_reply_says_todays_shift_is_empty_and_how_to_cover_it(chat: ChatDriver) -> None:
    reply = chat.text("/停用成员 @zhaoliu", as_="admin")
    assert _SAID in reply, reply
    assert _gap_notices(chat, "admin") == [_SAID]
    # the command it names works as written and fills today
    covered = chat.text("/值班代班 @孙七 2026-06-01 产品", as_="admin")
    assert "由 @孙七 值班" in covered, covered
    assert "「产品」@孙七" in chat.text("/今日值班", as_="admin")


def test_a_leaver_covering_today_gives_the_day_back_to_the_rotation(chat: ChatDriver) -> None:
    """Tester F2 (session 22): 李四 covered today's 「技术」 (张三's day) and was deactivated; the
    cover stayed, so the rest of the day showed 「无人值班」 and the cover the reply suggested
    was refused as overlapping it. Now the cover ends at the departure: 张三's day again, said
    so, and a cover named then is accepted."""
    assert "由 @李四 值班" in chat.text("/值班代班 @lisi 2026-06-01 技术", as_="admin")
    reply = chat.text("/停用成员 @lisi", as_="admin")
    assert "「李四」正在「技术」值班，停用后今天（2026-06-01）剩下的班只有 张三 值班" in reply, (
        reply
    )
    assert "已一并取消 TA 的 1 项代班或换班" in reply, reply
    assert "「技术」@张三" in chat.text("/今日值班", as_="admin")
    covered = chat.text("/值班代班 @王五 2026-06-01 技术", as_="admin")
    assert "由 @王五 值班" in covered, covered
    assert "「技术」@王五" in chat.text("/今日值班", as_="admin")


def test_a_dated_departure_of_todays_person_says_nothing_of_today(chat: ChatDriver) -> None:
    reply = chat.text("/停用成员 @zhaoliu 2026-06-03", as_="admin")
    assert "剩下的班" not in reply, reply
    assert _gap_notices(chat, "admin") == []


@pytest.fixture
def api(demo_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(demo_runtime, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        yield client


def test_rest_deactivation_of_todays_person_tells_the_admins(
    api: TestClient, demo_runtime: Runtime
) -> None:
    _team, members = demo_team(demo_runtime)
    left = api.patch(f"/api/v1/members/{members['zhaoliu'].id}", json={"active": False})
    assert left.status_code == 200, left.text
    assert _gap_notices(ChatDriver(demo_runtime), "admin") == [_SAID]
