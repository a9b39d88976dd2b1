"""What people type is stored without the direction marks it does not need (tester s27 B-2:
0b47be4 dropped them from check-ins, 群发/通知, feedback, 销项 and reading notes, yet an RLM
stayed in O and KR titles, /复盘 lines, 1on1 agenda items and 周报 entries). ``clean_text``,
the one reader of typed free text, drops them (``bidi.unmarked``): Hebrew or Arabic text keeps
them."""

from __future__ import annotations

from sqlalchemy import select

from teamassist.okr.models import KeyResult, Objective
from teamassist.okr.rhythm_models import Retro
from teamassist.one_on_ones.models import AgendaItem
from teamassist.reports.models import WeeklyEntry
from teamassist.team.names import clean_text
from tests.okr.support import set_clock
from tests.one_on_ones.support import make_director
from tests.support.chat import ChatDriver

RLM = "\u200f"


def test_titles_topics_and_entries_are_stored_without_a_stray_mark(
    sqlite_chat: ChatDriver,
) -> None:
    chat = sqlite_chat
    set_clock(chat.runtime, "2026-11-16 09:00")
    make_director(chat.runtime)
    assert "O-1" in chat.text(f"/新建目标 {RLM}方向标记测试", as_="zhangsan")
    assert "KR-" in chat.text(f"/新建KR O-1 {RLM}方向KR 起始 0 目标 5 单位 个", as_="zhangsan")
    chat.text(f"/议题 @张三 {RLM}RLM议题", as_="lihua")
    chat.text(f"/周报 完成 {RLM}接口文档", as_="zhangsan")
    with chat.runtime.factory() as session:
        assert session.scalar(select(Objective.title).where(Objective.title.like("%方向标记测试")))
        titles = [
            *session.scalars(select(Objective.title).where(Objective.title.like("%方向标记测试"))),
            *session.scalars(select(KeyResult.title).where(KeyResult.title.like("%方向KR"))),
            *session.scalars(select(AgendaItem.text).where(AgendaItem.text.like("%RLM议题"))),
            *session.scalars(select(WeeklyEntry.done).where(WeeklyEntry.done.like("%接口文档"))),
        ]
    assert titles == ["方向标记测试", "方向KR", "RLM议题", "接口文档"]


def test_right_to_left_text_keeps_its_marks() -> None:
    assert clean_text(f" {RLM}推进中 ") == "推进中"
    assert clean_text(f"שלום{RLM} 1") == f"שלום{RLM} 1"
    assert clean_text(f"{RLM}\u200b") == ""  # nothing visible: nothing


def test_a_retro_line_is_stored_without_a_stray_mark(sqlite_chat: ChatDriver) -> None:
    chat = sqlite_chat
    set_clock(chat.runtime, "2026-07-06 10:00")  # 2026Q3
    assert "O-1" in chat.text("/新建目标 提升交付质量", as_="zhangsan")
    chat.text("/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 50%", as_="zhangsan")
    chat.text("/新建KR O-1 营收 起始 100 目标 200 单位 万元 权重 50%", as_="zhangsan")
    assert "已发布" in chat.text("/发布OKR", as_="zhangsan")
    set_clock(chat.runtime, "2026-10-05 10:00")  # 2026Q3's grading window
    reply = chat.text(f"/复盘 O-1 做得好 {RLM}RLM行", as_="zhangsan")
    assert "已记下 O-1 的「做得好」" in reply, reply
    with chat.runtime.factory() as session:
        assert session.scalars(select(Retro.went_well)).all() == ["RLM行"]
