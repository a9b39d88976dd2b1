"""The prep pack of ``/一对一 @张三``: the report's objectives with their movement since the
last 1on1, KR progress and confidence, overdue action items and career-plan goals. The OKR and
careers desks are stood in for by answers on the runtime's bus (their own answers are tested
in their domains); the action-item desk is the real one (the demo's overdue item of 张三)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from teamassist.events import (
    Bus,
    CareerGoals,
    GoalFact,
    KrFact,
    ObjectiveFact,
    OkrFacts,
)
from teamassist.runtime import Runtime
from tests.careers.support import without_demo_plans
from tests.okr.support import demo, set_clock
from tests.one_on_ones.support import make_director
from tests.support.chat import ChatDriver


def _bus(runtime: Runtime) -> Bus:
    with runtime.factory() as session:
        bus = session.info["teamassist.events"]
        assert isinstance(bus, Bus)
        return bus


def _stand_ins(runtime: Runtime) -> None:
    # The real careers desk answers too: without the demo's plans its answer is empty, so the
    # goals shown are the stand-in's alone.
    without_demo_plans(runtime)
    with demo(runtime) as given:
        zhangsan, lisi = given.member("zhangsan").id, given.member("lisi").id
    trend = ((date(2026, 6, 3), 0.3), (date(2026, 6, 4), 0.4), (date(2026, 6, 5), 0.5))

    def okr(_session: Session, query: OkrFacts) -> tuple[ObjectiveFact, ...]:
        assert query.with_trend
        kr = KrFact("KR-1", "周活跃 200", 0.6, 7, None)
        return (
            ObjectiveFact(zhangsan, "O-1", "提升社区活跃度", 0.5, 7.0, None, (kr,), trend),
            ObjectiveFact(lisi, "O-2", "李四的目标", 0.9, 8.0, None, (), trend),
        )

    def goals(_session: Session, query: CareerGoals) -> tuple[GoalFact, ...]:
        if query.member.id != zhangsan:
            return ()
        return (
            GoalFact(7, 2026, 1, "带新人", "", date(2026, 9, 30), "in_progress", False, False),
            GoalFact(7, 2026, 2, "技术分享", "", date(2026, 5, 31), "planned", False, True),
        )

    bus = _bus(runtime)
    bus.subscribe(OkrFacts, okr)
    bus.subscribe(CareerGoals, goals)


def test_the_prep_pack_shows_the_reports_movement_since_the_last_1on1(
    sqlite_chat: ChatDriver,
) -> None:
    chat = sqlite_chat
    make_director(chat.runtime)
    _stand_ins(chat.runtime)
    chat.text("/一对一 @张三", as_="lihua")  # plans June: Thursday 06-04 10:00
    # When the director prepares on Friday 06-05, a day after the 1on1 of 06-04
    set_clock(chat.runtime, "2026-06-05 09:00")
    seen = chat.text("/一对一 @张三", as_="lihua")
    # Then the pack is 张三's: O-1 moved from 40% (06-04) to 50%, its KR and confidence,
    # the overdue item, and the career goals (one overdue)
    pack = seen[seen.index("会前准备（张三）") :]
    assert "O-1 提升社区活跃度 · 进展 50% （自 2026-06-04 起 +10 个百分点）" in pack
    assert "KR-1 周活跃 200 · 60% · 信心 7" in pack
    assert "李四的目标" not in pack
    assert "逾期销项 1 项：" in pack and "整理社区常见问题文档" in pack
    assert "职业发展目标 2 项：" in pack
    assert "1. 带新人 · 目标日期 2026-09-30" in pack
    assert "2. 技术分享 · 目标日期 2026-05-31 （已逾期）" in pack
    # 张三 reads the same pack on himself; an admin, who is no party, reads none
    assert "会前准备（张三）" in chat.text("/一对一 @李华", as_="zhangsan")
    listing = chat.text("/一对一", as_="admin")
    assert "带新人" not in listing and "会前准备" not in listing
