"""``POST /api/v1/chat`` hands out the neutral reply without the chat layer's user-text marks
(a tester's find, session 12: a client showing ``reply.body`` drew U+E000/U+E001 as boxes
around every title). User text in the body stays inert markdown: CommonMark-escaped."""

from __future__ import annotations

from fastapi.testclient import TestClient

from teamassist.chat.types import USER_CLOSE, USER_OPEN
from teamassist.web.app import create_app
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver
from tests.support.web import sign_in


def test_the_rest_reply_has_no_marks_and_user_text_stays_inert(sqlite_chat: ChatDriver) -> None:
    chat = sqlite_chat
    set_clock(chat.runtime, "2026-11-30 09:00")
    with TestClient(create_app(chat.runtime, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        sent = client.post(
            "/api/v1/chat",
            json={"text": "/销项 @zhangsan 修复*登录*页 2026-12-10", "as": "lihua"},
        )
        assert sent.status_code == 200, sent.text
        answer = sent.json()
        everything = sent.text
        # the marks are gone from the whole answer, the neutral reply included
        assert USER_OPEN not in everything and USER_CLOSE not in everything
        # and the title typed with markdown reads escaped in the neutral body, literal in text
        assert r"修复\*登录\*页" in answer["reply"]["body"], answer["reply"]["body"]
        assert "修复*登录*页" in answer["text"]
