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


def test_a_retyped_topic_is_the_same_topic(chat: ChatDriver) -> None:
    """Tester s27 B-3: a closing 。 or a blank beside 汉字 made a second topic."""
    make_director(chat.runtime)
    with chat.runtime.factory() as session:
        before = session.scalar(select(func.count()).select_from(AgendaItem)) or 0
    assert "已添加议题" in chat.text(TEXT, as_="lihua")
    for retyped in ("同一个议题。", "同一个 议题", "同一个议题！", "\u200f同一个议题"):
        again = chat.text(f"/议题 @张三 {retyped}", as_="lihua")
        assert "「同一个议题」已经在议程上了" in again, (retyped, again)
    assert "已添加议题" in chat.text("/议题 @张三 同一个议题二", as_="lihua")
    with chat.runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(AgendaItem)) == before + 2


def test_a_topic_ticked_at_once_is_ticked_once(chat: ChatDriver) -> None:
    """Tester s27 B-5: 20 × /议题完成 at once answered 「已勾掉」 six times on PostgreSQL."""
    make_director(chat.runtime)
    added = chat.text(TEXT, as_="lihua")
    with chat.runtime.factory() as session:
        item_id = session.scalar(select(AgendaItem.id).where(AgendaItem.text == "同一个议题"))
    assert item_id is not None, added
    replies = at_once(8, lambda: chat.text(f"/议题完成 {item_id}", as_="lihua"))
    assert sum(r.startswith("已勾掉议题") for r in replies) == 1, replies
    assert sum("已经勾掉了" in r for r in replies) == 7, replies
