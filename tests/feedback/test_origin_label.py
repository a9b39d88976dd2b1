"""Issue #10 G: a notice names the source once (``web:wangwu``, not ``web:web:wangwu``)."""

from __future__ import annotations

from teamassist.runtime import Runtime
from tests.conftest import load_demo
from tests.feedback.support import items
from tests.support.chat import ChatDriver


def test_web_chat_source_is_not_doubled(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    chat = ChatDriver(sqlite_runtime)
    chat.text("/问题反馈 来源只写一次", as_="wangwu")
    notices = [text for text in chat.queued_texts() if "来源只写一次" in text]
    assert notices and all("web:wangwu" in text for text in notices)
    assert not any("web:web:" in text for text in notices)
    item_id = items(sqlite_runtime)[-1].id
    detail = chat.text(f"/反馈详情 {item_id}", as_="wangwu")
    assert "web:wangwu" in detail and "web:web:" not in detail
