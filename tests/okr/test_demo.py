"""The demo workspace's OKRs: last quarter, published, checked in weekly and scored."""

from __future__ import annotations

from sqlalchemy import func, select

from teamassist.okr.models import CheckIn, Objective
from tests.support.chat import ChatDriver


def test_the_demo_has_last_quarters_okrs(sqlite_chat: ChatDriver) -> None:
    # The demo loads at 2026-06-01 (2026Q2): its OKRs are in 2026Q1, which has closed.
    reply = sqlite_chat.text("/团队OKR 2026Q1", as_="lisi")
    assert "团队OKR · 2026Q1（已关闭）" in reply
    for text in ("O-1 社区成为开发者的首选", "O-2 提升交付质量", "O-3 让新人一周内上手", "张三"):
        assert text in reply
    # 缺陷数 50→10 at 14: (50−14)/(50−10) = 90%.
    assert "KR-3 线上缺陷数：14个（50→10），权重 50%，进展 90%" in reply
    with sqlite_chat.runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Objective)) == 3
        assert (session.scalar(select(func.count()).select_from(CheckIn)) or 0) >= 7 * 12
    assert "2026Q2 还没有目标" in sqlite_chat.text("/团队OKR", as_="lisi")
    assert "形成循环" in sqlite_chat.text("/对齐 O-1 O-2", as_="admin")  # O-2 → O-1 exists
