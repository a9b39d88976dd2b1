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
