"""Outside tester F1 (session 23): after a cover of today was cancelled, /查看值班表 read
「「技术」@张三 → @李四（代班）」: the day's third stretch (张三 again) was dropped as a repeat, so
the table ended with someone who no longer held the day. It ends with whoever holds it now."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from teamassist.chat.render import to_plain
from teamassist.chat.types import Reply
from teamassist.duty import messages
from teamassist.duty.rotation import SOURCE_OVERRIDE, Shift
from teamassist.team.models import Member


def test_a_cell_ends_with_who_holds_the_day_now() -> None:
    zhangsan = Member(id=1, handle="zhangsan", display_name="张三")
    lisi = Member(id=2, handle="lisi", display_name="李四")
    people = {1: zhangsan, 2: lisi}
    day, at = date(2026, 6, 1), datetime(2026, 5, 31, 19, tzinfo=UTC)

    def piece(hours: int, length: int, who: int, source: str = "rotation") -> Shift:
        start = at + timedelta(hours=hours)
        return Shift(1, day, start, start + timedelta(hours=length), (who,), source=source)

    # 张三, then 李四's cover cancelled half an hour in, then 张三 for the rest of the day
    pieces = [piece(0, 6, 1), piece(6, 1, 2, SOURCE_OVERRIDE), piece(7, 17, 1)]
    reply = Reply()
    reply.body = messages.cell(reply, people, pieces)
    assert to_plain(reply) == "@张三 → @李四（代班） → @张三"
    # one person's stretches in a row are one
    reply.body = messages.cell(reply, people, [piece(0, 6, 1), piece(6, 18, 1)])
    assert to_plain(reply) == "@张三"
