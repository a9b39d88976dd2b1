"""Chat: /发起360, /360, /拒绝360, /结束360, /发布360 on the demo workspace (every backend)."""

from __future__ import annotations

import re

import pytest

from tests.outreach.support import ids
from tests.reviews.support import answer, set_up
from tests.support.chat import ChatDriver


@pytest.fixture
def desk(chat: ChatDriver) -> ChatDriver:
    set_up(chat.runtime)
    return chat


def _to(chat: ChatDriver, handle: str, prefix: str) -> list[str]:
    member_id = ids(chat.runtime)[handle]
    return [
        text
        for m, text in zip(chat.queued(), chat.queued_texts(), strict=True)
        if m.idempotency_key.startswith(prefix) and m.idempotency_key.endswith(f":m{member_id}")
    ]


def test_a_cycle_through_chat(desk: ChatDriver) -> None:
    # a member may not start one
    assert "只有团队负责人或管理员" in desk.text("/发起360 @zhangsan 2026-12-04", as_="sunqi")
    # the director starts one for 张三 and 李四
    reply = desk.text("/发起360 @zhangsan @lisi 2026-12-04", as_="lihua")
    assert "已发起" in reply and "张三、李四" in reply and "至少 3 份" in reply, reply
    found = re.search(r"#(\d+)", reply)
    assert found, reply
    cycle = found.group(1)
    # one invitation per reviewer, however many people they review
    [invite] = _to(desk, "wangwu", f"reviews.invite:{cycle}:")
    assert "/360" in invite and "2026-12-04" in invite
    # a second cycle waits for the first
    assert "一个团队同时只能有一轮" in desk.text("/start-360 @wangwu 2026-12-10", as_="lihua")
    # 王五 sees whom he reviews, with the form links (answers are not taken in chat)
    mine = desk.text("/360", as_="wangwu")
    assert "张三（同事" in mine and "李四（同事" in mine, mine
    assert re.search(r"/reviews/360/\d+/answer/\d+", mine), mine
    # he declines 张三; the list loses him, a second decline is refused kindly
    assert "已拒绝评价 张三" in desk.text("/拒绝360 @zhangsan 不熟悉他的工作", as_="wangwu")
    mine = desk.text("/360", as_="wangwu")
    assert "张三" not in mine and "李四" in mine
    assert "已经拒绝" in desk.text("/decline-360 @zhangsan", as_="wangwu")
    # someone not asked about a person is told so
    assert "没有被邀请评价" in desk.text("/拒绝360 @lihua", as_="wangwu")
    # release waits for the end; a member may not close it
    assert "还在进行中" in desk.text("/发布360 @zhangsan", as_="lihua")
    assert "只有团队负责人或管理员" in desk.text("/结束360", as_="sunqi")
    assert "不再接收答卷" in desk.text("/结束360", as_="lihua")
    assert "已经结束了" in desk.text("/close-360", as_="lihua")
    # after the end nobody can answer or decline
    assert "已经结束" in desk.text("/拒绝360 @lisi", as_="wangwu")
    assert "已向 张三 发布" in desk.text("/发布360 @zhangsan", as_="lihua")
    [told] = _to(desk, "zhangsan", f"reviews.released:{cycle}:")
    assert "/360" in told
    assert len(re.findall(r"/reviews/360/\d+/summary/\d+", desk.text("/360", as_="zhangsan"))) == 2


def test_start_refuses_bad_input_and_changes_nothing(desk: ChatDriver) -> None:
    before = len(desk.queued())
    assert "已经过去了" in desk.text("/发起360 @zhangsan 2026-11-01", as_="lihua")
    assert "不是一个 @成员" in desk.text("/发起360 2026-12-04", as_="lihua")
    assert "没有待填写" in desk.text("/360", as_="wangwu")
    # nothing was queued and the next start is not blocked by a half-made cycle
    assert len(desk.queued()) == before
    assert "已发起" in desk.text("/发起360 @zhangsan 2026-12-04", as_="lihua")


def test_answers_stay_out_of_chat(desk: ChatDriver) -> None:
    # given 3 peers answered through the form and the cycle ended
    desk.text("/发起360 @zhangsan 2026-12-04", as_="lihua")
    for reviewer in ("wangwu", "zhaoliu", "sunqi"):
        answer(desk.runtime, reviewer, "zhangsan", {"keep": f"{reviewer}写的评语"})
    desk.text("/结束360", as_="lihua")
    desk.text("/发布360 @zhangsan", as_="lihua")
    # then no notice and no reply carried an answer
    assert not [t for t in desk.queued_texts() if "写的评语" in t]
