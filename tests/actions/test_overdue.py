"""Overdue reminders across 国庆 2026 through the real scheduler, on every backend.

The dates come from the Workdays port (chinese_calendar): holiday 10-01..10-07, 调休 working
days Sunday 09-20 and Saturday 10-10. An item due Tuesday 09-29 is one working day late on
09-30, two on 10-08 (escalated there, once), and is reminded again on the 调休 Saturday.
"""

from __future__ import annotations

from sqlalchemy import select

from teamassist.actions.models import ActionEvent, ActionReminder
from teamassist.runtime import Runtime
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver


def _reminded_days(runtime: Runtime, item_id: int) -> list[str]:
    with runtime.factory() as session:
        days = session.scalars(
            select(ActionReminder.local_date)
            .where(ActionReminder.item_id == item_id)
            .order_by(ActionReminder.local_date)
        )
        return [d.isoformat() for d in days]


def _escalations(runtime: Runtime, item_id: int) -> int:
    with runtime.factory() as session:
        kinds = session.scalars(select(ActionEvent.kind).where(ActionEvent.item_id == item_id))
        return sum(1 for kind in kinds if kind == "escalated")


def _tick(chat: ChatDriver, when: str) -> None:
    set_clock(chat.runtime, when)
    chat.runtime.scheduler.tick()


def test_reminders_skip_the_holiday_and_escalate_once(chat: ChatDriver) -> None:
    set_clock(chat.runtime, "2026-09-28 09:00")
    reply = chat.text("/销项 @lisi 整理国庆值班表 2026-09-29", as_="zhangsan")
    item_id = int(reply.split("#")[1].split("：")[0])

    for day in ("09-28", "09-29"):  # not late yet
        _tick(chat, f"2026-{day} 09:31")
    assert _reminded_days(chat.runtime, item_id) == []

    _tick(chat, "2026-09-30 09:31")  # one working day late: reminded, not escalated
    assert _reminded_days(chat.runtime, item_id) == ["2026-09-30"]
    assert _escalations(chat.runtime, item_id) == 0
    texts = chat.queued_texts()
    assert any("整理国庆值班表" in text for text in texts), texts

    for holiday in range(1, 8):  # 国庆: nothing
        _tick(chat, f"2026-10-0{holiday} 09:31")
    assert _reminded_days(chat.runtime, item_id) == ["2026-09-30"]

    _tick(chat, "2026-10-08 09:31")  # two working days late: escalated
    _tick(chat, "2026-10-08 15:00")  # a later tick the same day changes nothing
    assert _reminded_days(chat.runtime, item_id) == ["2026-09-30", "2026-10-08"]
    assert _escalations(chat.runtime, item_id) == 1
    # the demo's own late items were escalated on 09-28; this one once, on 10-08
    escalations = [
        m.idempotency_key
        for m in chat.queued()
        if m.idempotency_key.startswith("actions.escalation") and "整理国庆值班表" in str(m.payload)
    ]
    assert [key.split(":")[2] for key in escalations] == ["2026-10-08"], escalations

    _tick(chat, "2026-10-09 09:31")
    _tick(chat, "2026-10-10 09:31")  # 调休 Saturday counts
    _tick(chat, "2026-10-11 09:31")  # Sunday does not
    assert _reminded_days(chat.runtime, item_id) == [
        "2026-09-30",
        "2026-10-08",
        "2026-10-09",
        "2026-10-10",
    ]
    assert _escalations(chat.runtime, item_id) == 1

    chat.text(f"/完成销项 {item_id}", as_="lisi")  # done: no longer overdue
    _tick(chat, "2026-10-12 09:31")
    assert _reminded_days(chat.runtime, item_id)[-1] == "2026-10-10"
