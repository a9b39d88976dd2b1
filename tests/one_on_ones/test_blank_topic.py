"""An agenda item that shows nothing (``/议题 @张三 \\u202e\\u200b``: only format characters,
or only spaces) is refused with the catalogue's reply and adds nothing, from chat and REST."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from teamassist.one_on_ones.models import AgendaItem
from tests.one_on_ones.support import make_director
from tests.support.chat import ChatDriver


def _count(chat: ChatDriver) -> int:
    with chat.runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(AgendaItem)) or 0


@pytest.mark.parametrize(
    ("blank", "said"),
    [
        ("\u202e\u200b", "议题内容不能为空。"),
        # the zero-width space is dropped on arrival: only spaces are left, no argument at all
        (
            "\u3000\u200b\u00a0",
            "小助理无法识别你的指令，缺少参数「内容」。\n\n用法：/议题 @某人 <内容> [私密]",
        ),
        ("\u2066\ufeff 私密", "议题内容不能为空。"),
    ],
)
def test_an_invisible_topic_is_refused_and_adds_nothing(
    chat: ChatDriver, blank: str, said: str
) -> None:
    make_director(chat.runtime)
    before = _count(chat)
    # When 张三 adds a topic of only invisible characters (in a DM, so 私密 is allowed)
    reply = chat.text(f"/议题 @李华 {blank}", as_="zhangsan")
    # Then the reply says a topic needs content, and nothing was added
    assert reply == said
    assert _count(chat) == before
    # while a visible topic is added
    assert "已添加" in chat.text("/议题 @李华 Q3 复盘", as_="zhangsan")
    assert _count(chat) == before + 1
