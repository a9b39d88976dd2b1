"""The repeat guard of /进展 (``checkins._not_a_repeat``) on every backend: the same progress
retyped within ten minutes is one check-in, however it is typed and whatever came between."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from teamassist.okr.models import CheckIn, KeyResult
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver

REPEAT = "刚刚已经登记过同样的进展"


@pytest.fixture
def kr_chat(chat: ChatDriver) -> ChatDriver:
    """张三's published O-1 with KR-1 (线上缺陷数 50 → 10 个) and a yes/no KR-2, on Monday
    2026-11-16 (2026Q4)."""
    set_clock(chat.runtime, "2026-11-16 09:00")
    assert "O-1" in chat.text("/新建目标 提升交付质量", as_="zhangsan")
    assert "KR-1" in chat.text(
        "/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 50%", as_="zhangsan"
    )
    assert "KR-2" in chat.text("/新建KR O-1 新版本上线 类型 是否完成 权重 50%", as_="zhangsan")
    assert "已发布" in chat.text("/发布OKR", as_="zhangsan")
    return chat


def _check_ins(chat: ChatDriver) -> list[tuple[float, int | None, str]]:
    """KR-1's check-ins (the demo's own KRs have theirs), oldest first."""
    with chat.runtime.factory() as session:
        kr = session.scalar(select(func.max(KeyResult.id)).where(KeyResult.title == "线上缺陷数"))
        rows = session.scalars(
            select(CheckIn).where(CheckIn.key_result_id == kr).order_by(CheckIn.id)
        ).all()
        return [(r.value, r.confidence, r.comment) for r in rows]


def test_a_retyped_progress_is_one_check_in(kr_chat: ChatDriver) -> None:
    """Tester F-B13 (session 25): 「推进中」, then 「推进中。」, then 「３ 信心 ７ 推进中」 seconds
    apart were three check-ins: only a closing 。 differed from the last, and the third was
    compared with the second only."""
    said = []
    for second, text in enumerate(
        (
            "/进展 KR-1 30 信心 7 推进中",
            "/进展 KR-1 30 信心7 推进中",
            "/进展 KR-1 30 信心 7 推进中。",
            "/进展 KR-1 ３０ 信心 ７ 推进中",
            "/进展 KR-1 30 信心 7 推 进 中！",
        )
    ):
        set_clock(kr_chat.runtime, f"2026-11-16 09:00:{second + 1:02d}")
        said.append(kr_chat.text(text, as_="zhangsan"))
    assert "已登记" in said[0] or "KR-1「线上缺陷数」：30个" in said[0], said[0]
    assert all(REPEAT in reply for reply in said[1:]), said
    assert _check_ins(kr_chat) == [(30, 7, "推进中")]


def test_an_invisible_direction_mark_is_no_new_note(kr_chat: ChatDriver) -> None:
    """Tester s26 B-1: 「\u200f推进中」 after 「推进中」 was a second check-in, and its note kept
    the RLM; an LRM, an isolate or a BOM the same."""
    said = []
    typed = ("\u200e推进中", "\u200f推进中", "推进\u2066中\u2069", "\ufeff推进中")
    for second, text in enumerate(typed):
        set_clock(kr_chat.runtime, f"2026-11-16 09:00:{second + 1:02d}")
        said.append(kr_chat.text(f"/进展 KR-1 30 信心 7 {text}", as_="zhangsan"))
    assert REPEAT not in said[0] and all(REPEAT in reply for reply in said[1:]), said
    assert _check_ins(kr_chat) == [(30, 7, "推进中")]


def test_the_same_progress_after_another_note_is_a_repeat(kr_chat: ChatDriver) -> None:
    """Compared with every check-in in the window: 「推进中」, 「卡在评审」, 「推进中」 again at
    the same value and confidence stores the third as nothing new."""
    kr_chat.text("/进展 KR-1 30 信心 7 推进中", as_="zhangsan")
    set_clock(kr_chat.runtime, "2026-11-16 09:01")
    kr_chat.text("/进展 KR-1 30 信心 7 卡在评审", as_="zhangsan")
    set_clock(kr_chat.runtime, "2026-11-16 09:02")
    assert REPEAT in kr_chat.text("/进展 KR-1 30 信心 7 推进中", as_="zhangsan")
    assert _check_ins(kr_chat) == [(30, 7, "推进中"), (30, 7, "卡在评审")]


def test_a_value_moved_back_or_after_the_window_is_new(kr_chat: ChatDriver) -> None:
    """30, then 25 by mistake, then 30 again: the KR stands at 25, so the third is a real
    change and is stored; so is the same progress eleven minutes later."""
    kr_chat.text("/进展 KR-1 30 信心 7 推进中", as_="zhangsan")
    set_clock(kr_chat.runtime, "2026-11-16 09:01")
    kr_chat.text("/进展 KR-1 25 信心 7 推进中", as_="zhangsan")
    set_clock(kr_chat.runtime, "2026-11-16 09:02")
    back = kr_chat.text("/进展 KR-1 30 信心 7 推进中", as_="zhangsan")
    assert REPEAT not in back and "30个" in back, back
    set_clock(kr_chat.runtime, "2026-11-16 09:13")
    later = kr_chat.text("/进展 KR-1 30 信心 7 推进中", as_="zhangsan")
    assert REPEAT not in later, later
    assert _check_ins(kr_chat) == [(30, 7, "推进中"), (25, 7, "推进中")] + [(30, 7, "推进中")] * 2
