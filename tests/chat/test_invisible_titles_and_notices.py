"""A new O, a KR or an announcement of only zero-width characters is refused like an empty one
(the tester's `/新建目标 ​​` made an objective with an invisible title, `/新建KR O-3 ​ 起始 0 目标 10`
a KR, `/群发 全员群 ​​` sent an invisible DM to seven people and REST answered 201 for "\\u200b").
The refusal sits in the service functions, so chat, REST and pages refuse alike."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.announcements.models import Announcement
from teamassist.okr.models import KeyResult, Objective
from teamassist.outbox.models import OutboxMessage
from teamassist.web.app import create_app
from tests.okr.support import set_clock
from tests.outreach.support import set_up_groups
from tests.support.chat import ChatDriver
from tests.support.web import give_account, sign_in


def _count(chat: ChatDriver, model: type) -> int:
    with chat.runtime.factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_an_invisible_objective_or_kr_title_is_refused(sqlite_chat: ChatDriver) -> None:
    chat = sqlite_chat
    set_clock(chat.runtime, "2026-11-30 09:00")
    # given an O to hang a KR on
    assert "O-" in chat.text("/新建目标 提升交付质量", as_="zhangsan")
    before = (_count(chat, Objective), _count(chat, KeyResult))
    # when the title is two U+200B (or a Hangul filler), then the empty-title refusal, no row
    # zero-width spaces are dropped as the message arrives: nothing is left to be a title
    assert "缺少参数「内容」" in chat.text("/新建目标 \u200b\u200b", as_="zhangsan")
    assert "标题不能为空" in chat.text(
        "/新建目标 \u3164", as_="zhangsan"
    )  # a filler that shows nothing
    assert "标题不能为空" in chat.text("/新建目标 \u3164", as_="zhangsan")
    kr = chat.text("/新建KR O-1 \u200b 起始 0 目标 10 单位 个 权重 100", as_="zhangsan")
    assert "标题不能为空" in kr
    assert (_count(chat, Objective), _count(chat, KeyResult)) == before
    # while visible words still make a KR
    made = chat.text("/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 100", as_="zhangsan")
    assert "标题不能为空" not in made
    assert _count(chat, KeyResult) == before[1] + 1


def test_an_invisible_announcement_is_refused_in_chat_and_rest(sqlite_chat: ChatDriver) -> None:
    chat = sqlite_chat
    set_clock(chat.runtime, "2026-11-30 09:00")
    set_up_groups(chat.runtime)
    before = (_count(chat, Announcement), _count(chat, OutboxMessage))
    # when 李华 sends two U+200B to a group by DM and as a notice, then nothing is sent
    assert "缺少参数「内容」" in chat.text("/群发 开发者大群 \u200b\u200b", as_="lihua")
    assert "通知内容不能为空" in chat.text("/通知 产品核心群 \u200b\u202e", as_="lihua")
    # and REST answers 422 with the same words
    client = TestClient(create_app(chat.runtime, start_background=False))
    with client:
        sign_in(client, "lihua", give_account(chat.runtime, "lihua"))
        response = client.post(
            "/api/v1/announcements", json={"group": "开发者大群", "text": "\u200b", "kind": "bulk"}
        )
        assert response.status_code == 422, response.text
        assert "通知内容不能为空" in response.text
    assert (_count(chat, Announcement), _count(chat, OutboxMessage)) == before
