"""Outside tester F11 (session 23): 16 identical 「/议题 @孙七 同一个议题」 at once stored 16
topics, and the same one sent twice in a row two. The same text by the same author still open
on the pair's agenda is one topic; a repeat is refused naming it. Every backend."""

from __future__ import annotations

from sqlalchemy import func, select

from teamassist.one_on_ones.models import AgendaItem
from tests.one_on_ones.support import make_director
from tests.support.chat import ChatDriver
from tests.support.parallel import at_once

TEXT = "/议题 @张三 同一个议题"


def _topics(chat: ChatDriver) -> int:
    with chat.runtime.factory() as session:
        query = select(func.count()).where(AgendaItem.text == "同一个议题")
        return session.scalar(query) or 0


def test_the_same_topic_sent_at_once_or_again_is_one(chat: ChatDriver) -> None:
    make_director(chat.runtime)
    replies = at_once(6, lambda: chat.text(TEXT, as_="lihua"))
    assert sum("已添加议题" in r for r in replies) == 1, replies
    assert sum("已经在议程上了" in r for r in replies) == 5, replies
    assert _topics(chat) == 1
    again = chat.text(TEXT, as_="lihua")
    assert "「同一个议题」已经在议程上了（你提的，还没讨论），没有重复添加。" in again, again
    assert _topics(chat) == 1
    # the other person may raise the same words: their own topic
    assert "已添加议题" in chat.text("/议题 @李华 同一个议题", as_="zhangsan")
    assert _topics(chat) == 2
