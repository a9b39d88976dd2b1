"""/值班订阅: a personal calendar feed URL, privately; the URL serves the member's shifts."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from icalendar import Calendar

from teamassist.chat.types import ChatType
from teamassist.web.app import create_app
from tests.support.chat import ChatDriver


def test_feed_url_in_direct_chat_serves_the_calendar(sqlite_chat: ChatDriver) -> None:
    text = sqlite_chat.text("/值班订阅", as_="zhangsan")
    match = re.search(r"http://127\.0\.0\.1:8000(/ical/[\w-]+\.ics)", text)
    assert match, text
    with TestClient(create_app(sqlite_chat.runtime, start_background=False)) as http:
        response = http.get(match.group(1))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = [str(e.get("SUMMARY")) for e in calendar.walk("VEVENT")]
    assert summaries and all("张三" in s for s in summaries)


def test_feed_url_is_never_posted_in_a_group(sqlite_chat: ChatDriver) -> None:
    text = sqlite_chat.text(
        "/值班订阅", as_="zhangsan", chat_key="group-1", chat_type=ChatType.GROUP
    )
    assert "私信" in text and "/ical/" not in text
    private = sqlite_chat.queued_texts(address="member:" + _member_id(sqlite_chat, "zhangsan"))
    assert len(private) == 1 and "/ical/" in private[0]


def _member_id(chat: ChatDriver, handle: str) -> str:
    from teamassist.team import service as team_service

    with chat.runtime.factory() as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        member = team_service.get_member_by_handle(session, workspace_id=ws.id, handle=handle)
        assert member is not None
        return str(member.id)


def test_asking_again_keeps_the_one_live_url_and_a_reset_replaces_it(
    sqlite_chat: ChatDriver,
) -> None:
    """Tester s25 F-20: each /值班订阅 minted another live secret URL and the old ones kept
    working. One live feed per person: asking again says so and makes nothing (the URL is
    stored hashed, it cannot be shown again); 重置 makes a new one and the old one answers 404."""
    first = sqlite_chat.text("/值班订阅", as_="zhangsan")
    first_path = _feed_path(first)

    again = sqlite_chat.text("/值班订阅", as_="zhangsan")
    assert "/ical/" not in again and "已经有一个有效的值班日历订阅" in again, again
    assert "/值班订阅 重置" in again and "原来的地址照常可用" in again, again

    reset = sqlite_chat.text("/值班订阅 重置", as_="zhangsan")
    new_path = _feed_path(reset)
    assert new_path != first_path and "之前的订阅地址（#" in reset and "已失效" in reset, reset
    with TestClient(create_app(sqlite_chat.runtime, start_background=False)) as http:
        assert http.get(first_path).status_code == 404
        assert http.get(new_path).status_code == 200
    assert _live_feeds(sqlite_chat) == 1

    odd = sqlite_chat.text("/值班订阅 全部", as_="zhangsan")
    assert "「全部」不是 /值班订阅 认识的选项" in odd and _live_feeds(sqlite_chat) == 1, odd


def test_a_reset_in_a_group_says_the_old_url_stopped_working(sqlite_chat: ChatDriver) -> None:
    sqlite_chat.text("/值班订阅", as_="zhangsan")
    text = sqlite_chat.text(
        "/值班订阅 重置", as_="zhangsan", chat_key="group-1", chat_type=ChatType.GROUP
    )
    assert "/ical/" not in text and "私信" in text and "已失效" in text, text


def _feed_path(text: str) -> str:
    match = re.search(r"http://127\.0\.0\.1:8000(/ical/[\w-]+\.ics)", text)
    assert match, text
    return match.group(1)


def _live_feeds(chat: ChatDriver) -> int:
    from sqlalchemy import func, select

    from teamassist.duty.feed_models import FeedToken

    with chat.runtime.factory() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(FeedToken).where(FeedToken.revoked_at.is_(None))
            )
            or 0
        )
