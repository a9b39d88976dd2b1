"""Outside tester F13 (session 23): 「/通知 全员群 报名截止 周五」 was read as a deadline: the
group got only 「报名」 and every member an action item. Only a 「截止」 of its own (after a
blank, a mark or the start) marks the deadline; glued to the word before, it is text, sent
whole. REST refused 「…年会报名已截止」 as a deadline written in the text. Every backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.actions.models import ActionItem
from teamassist.announcements.models import Announcement
from teamassist.chat.types import plain_text
from teamassist.web.app import create_app
from tests.support.chat import ChatDriver
from tests.support.web import sign_in


def _last(chat: ChatDriver) -> tuple[str, bool, int]:
    """(body, has a deadline, action items) of the newest announcement."""
    with chat.runtime.factory() as session:
        row = session.scalars(select(Announcement).order_by(Announcement.id.desc())).first()
        assert row is not None
        items = session.scalar(select(func.count()).select_from(ActionItem)) or 0
        return plain_text(row.body), row.due_at is not None, items


@pytest.fixture
def http(chat: ChatDriver) -> Iterator[TestClient]:
    with TestClient(create_app(chat.runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def test_a_deadline_word_glued_to_the_word_before_is_text(chat: ChatDriver) -> None:
    with chat.runtime.factory() as session:
        items = session.scalar(select(func.count()).select_from(ActionItem)) or 0
    for kind in ("通知", "群发"):
        said = chat.text(f"/{kind} 全员群 报名截止 周五", as_="admin")
        assert "已排队" in said and "销项" not in said, said
        assert _last(chat) == ("报名截止 周五", False, items)
    said = chat.text("/通知 全员群 各位：年会报名已截止", as_="admin")
    assert "已排队通知" in said, said
    assert _last(chat)[:2] == ("各位：年会报名已截止", False)
    # a 截止 of its own still is the deadline, after a blank or a mark
    for text in ("/通知 全员群 @李四 报名 截止 周五", "/通知 全员群 @李四 交报名表，截止周五"):
        said = chat.text(text, as_="admin")
        assert "同时为 1 人各布置一个销项" in said, said
        assert _last(chat)[1:] == (True, items + 1)
        items += 1


def test_rest_sends_a_text_that_names_no_deadline(chat: ChatDriver, http: TestClient) -> None:
    for text in ("各位：年会报名已截止", "报名截止 周五"):
        sent = http.post("/api/v1/announcements", json={"group": "全员群", "text": text})
        assert sent.status_code == 201, sent.text
        assert sent.json()["text"] == text
    refused = http.post("/api/v1/announcements", json={"group": "全员群", "text": "交表 截止 周五"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "announcements.error.rest_due_in_text"
