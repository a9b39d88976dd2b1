"""The repeat guard of /销项 (session 20's outside test): 16 identical /销项 at once made 16
items. The same requester, owner, title and due time within 10 minutes is one item, whatever the
timing; 「确认重发」 (REST ``force``) makes another on purpose. On every backend."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from teamassist.actions.models import ActionItem
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver
from tests.support.parallel import at_once

TEXT = "/销项 @lisi 同时交接口文档 2026-12-04"
TOKEN = "repeat-token"


@pytest.fixture
def action_chat(chat: ChatDriver) -> ChatDriver:
    set_clock(chat.runtime, "2026-11-30 09:00")  # a Monday, Beijing
    return chat


def _titled(runtime: Runtime, title: str) -> list[ActionItem]:
    with runtime.factory() as session:
        return list(session.scalars(select(ActionItem).where(ActionItem.title == title)))


def _assigned_notices(chat: ChatDriver) -> int:
    return sum(m.idempotency_key.startswith("actions.assigned") for m in chat.queued())


def test_the_same_item_sent_at_once_is_made_once(action_chat: ChatDriver) -> None:
    sends = 8
    before = _assigned_notices(action_chat)
    replies = at_once(sends, lambda: action_chat.text(TEXT, as_="zhangsan"))
    assert len(replies) == sends, replies
    assert sum("已创建销项 #" in r for r in replies) == 1, replies
    assert sum("10 分钟内已经建过了" in r for r in replies) == sends - 1, replies
    assert len(_titled(action_chat.runtime, "同时交接口文档")) == 1
    assert _assigned_notices(action_chat) == before + 1  # 李四 is told once


def test_a_repeat_is_told_and_a_confirmed_one_is_made(action_chat: ChatDriver) -> None:
    first = action_chat.text(TEXT, as_="zhangsan")
    item_id = int(first.split("#")[1].split("：")[0])
    again = action_chat.text(TEXT, as_="zhangsan")
    assert again == (
        "同样的销项（同一位负责人、同样的内容和期限）10 分钟内已经建过了："
        f"#{item_id}，这次没有再建，李四 也不会再收到通知。"
        '真要再建一条，请在指令末尾加上「确认重发」（REST 请求加 "force": true）；'
        "要改期限请用 /延期销项。"
    )
    # Not a repeat: another due time, another owner, another requester, the same confirmed.
    for text, as_ in (
        ("/销项 @lisi 同时交接口文档 2026-12-05", "zhangsan"),
        ("/销项 @wangwu 同时交接口文档 2026-12-04", "zhangsan"),
        (TEXT, "admin"),
        (f"{TEXT} 确认重发", "zhangsan"),
    ):
        assert "已创建销项 #" in action_chat.text(text, as_=as_), text
    titled = _titled(action_chat.runtime, "同时交接口文档")
    assert len(titled) == 5
    # The window passes: the same item is new again.
    set_clock(action_chat.runtime, "2026-11-30 09:11")
    assert "已创建销项 #" in action_chat.text(TEXT, as_="zhangsan")


def test_a_retyped_item_is_the_same_item(action_chat: ChatDriver) -> None:
    """Tester s26 B-5: a closing 。/！, case, spaces beside 汉字 or a ZWSP made a second item and
    a second notice to the owner; the title is compared by names.gist, as 群发's words are."""
    first = action_chat.text("/销项 @lisi 写 API 文档 2026-12-04", as_="zhangsan")
    item_id = int(first.split("#")[1].split("：")[0])
    before = _assigned_notices(action_chat)
    for retyped in ("写api文档", "写 API 文档！", "写\u200bAPI文档。", "写 ＡＰＩ 文档"):
        again = action_chat.text(f"/销项 @lisi {retyped} 2026-12-04", as_="zhangsan")
        assert f"10 分钟内已经建过了：#{item_id}" in again, (retyped, again)
    assert _assigned_notices(action_chat) == before  # 李四 is told once
    # other words are another item
    assert "已创建销项 #" in action_chat.text("/销项 @lisi 写 API 测试 2026-12-04", as_="zhangsan")


def test_a_title_keeps_no_stray_direction_mark(action_chat: ChatDriver) -> None:
    # tester s26 B-1: an RLM typed before the title was stored with it; Hebrew keeps its marks
    action_chat.text("/销项 @lisi \u200f写周报\u200e 2026-12-04", as_="zhangsan")
    action_chat.text("/销项 @lisi 翻译\u200fשלום 2026-12-04", as_="zhangsan")
    assert len(_titled(action_chat.runtime, "写周报")) == 1
    assert len(_titled(action_chat.runtime, "翻译\u200fשלום")) == 1


def test_rest_refuses_a_repeat_unless_forced(demo_runtime: Runtime) -> None:
    set_clock(demo_runtime, "2026-11-30 09:00")
    demo_runtime.settings.web.api_token = SecretStr(TOKEN)
    body = {"owner": "lisi", "title": "REST 交文档", "due": "2026-12-04T18:00:00+08:00"}
    with TestClient(create_app(demo_runtime, start_background=False)) as client:
        client.headers["authorization"] = f"Bearer {TOKEN}"
        assert client.post("/api/v1/actions", json=body).status_code == 201
        again = client.post("/api/v1/actions", json=body)
        assert again.status_code == 409, again.text
        # an API caller is told the REST way too (tester F9, session 21)
        assert "已经建过了" in again.json()["message"]
        assert '（REST 请求加 "force": true）' in again.json()["message"], again.text
        forced = client.post("/api/v1/actions", json={**body, "force": True})
        assert forced.status_code == 201, forced.text
    assert len(_titled(demo_runtime, "REST 交文档")) == 2
