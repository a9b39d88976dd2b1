"""Deadline reminders: working days in a cycle's last three days, once a day, only to reviewers
who still owe an answer (declined and submitted ones get none)."""

from __future__ import annotations

import pytest

from teamassist.reviews import service
from teamassist.runtime import Runtime
from tests.okr.support import demo, set_clock
from tests.outreach.support import ids
from tests.reviews.support import answer, set_up, start
from tests.support.chat import ChatDriver


@pytest.fixture
def desk(sqlite_chat: ChatDriver) -> ChatDriver:
    set_up(sqlite_chat.runtime)
    return sqlite_chat


def _reminded(chat: ChatDriver, cycle: int) -> dict[str, int]:
    """Handle → reminders queued for ``cycle``."""
    by_id = {v: k for k, v in ids(chat.runtime).items()}
    found: dict[str, int] = {}
    for message in chat.queued():
        key = message.idempotency_key
        if key.startswith(f"reviews.remind:{cycle}:"):
            handle = by_id[int(key.rsplit(":m", 1)[1])]
            found[handle] = found.get(handle, 0) + 1
    return found


def _decline(runtime: Runtime, reviewer: str, reviewee: str) -> None:
    with demo(runtime) as d:
        cycle = service.latest_cycle(d.session, team=d.team)
        service.decline(
            d.session,
            team=d.team,
            cycle=cycle,
            reviewee=d.member(reviewee),
            reviewer=d.member(reviewer),
            reason=None,
            now=runtime.clock(),
        )


def test_reminders_go_to_those_who_still_owe(desk: ChatDriver) -> None:
    runtime = desk.runtime
    # given a cycle due Friday 2026-12-04; 王五 declined, 赵六 answered
    cycle = start(runtime, "zhangsan")
    _decline(runtime, "wangwu", "zhangsan")
    answer(runtime, "zhaoliu", "zhangsan", {"collaboration": 4})
    # Monday: four days left, no reminder
    set_clock(runtime, "2026-11-30 10:05")
    runtime.scheduler.tick()
    assert _reminded(desk, cycle) == {}
    # Tuesday: three days left; twice the tick, once the reminder
    set_clock(runtime, "2026-12-01 10:05")
    runtime.scheduler.tick()
    runtime.scheduler.tick()
    reminded = _reminded(desk, cycle)
    assert reminded == {"zhangsan": 1, "lihua": 1, "admin": 1, "lisi": 1, "sunqi": 1}
    assert "wangwu" not in reminded and "zhaoliu" not in reminded
    # Friday, the due day: once more; Saturday the cycle is over
    set_clock(runtime, "2026-12-04 10:05")
    runtime.scheduler.tick()
    assert _reminded(desk, cycle)["lisi"] == 2
    set_clock(runtime, "2026-12-05 10:05")
    runtime.scheduler.tick()
    assert _reminded(desk, cycle)["lisi"] == 2


def test_no_reminder_on_a_day_off(desk: ChatDriver) -> None:
    runtime = desk.runtime
    set_clock(runtime, "2026-12-03 09:00")
    with demo(runtime) as d:
        from datetime import date

        cycle = service.start(
            d.session,
            team=d.team,
            by=d.member("lihua"),
            reviewees=[d.member("zhangsan")],
            due_on=date(2026, 12, 7),  # a Monday
            now=runtime.clock(),
        ).id
    set_clock(runtime, "2026-12-05 10:05")  # Saturday, within three days of the due day
    runtime.scheduler.tick()
    assert _reminded(desk, cycle) == {}
    set_clock(runtime, "2026-12-07 10:05")
    runtime.scheduler.tick()
    assert _reminded(desk, cycle).get("lisi") == 1


def _ended(chat: ChatDriver, cycle: int) -> dict[str, int]:
    """Handle → end-of-cycle notices queued for ``cycle``."""
    by_id = {v: k for k, v in ids(chat.runtime).items()}
    found: dict[str, int] = {}
    for message in chat.queued():
        key = message.idempotency_key
        if key.startswith(f"reviews.ended:{cycle}:"):
            handle = by_id[int(key.rsplit(":m", 1)[1])]
            found[handle] = found.get(handle, 0) + 1
    return found


def test_the_managers_hear_when_a_cycle_is_over(desk: ChatDriver) -> None:
    # Tester N7: after the due day the director heard nothing, and /360 said only
    # "您目前没有待填写的360评价。"
    runtime = desk.runtime
    cycle = start(runtime, "zhangsan")  # due Friday 2026-12-04, 李华 directs
    set_clock(runtime, "2026-12-04 09:05")  # the due day: still open, nothing said
    runtime.scheduler.tick()
    assert _ended(desk, cycle) == {}
    set_clock(runtime, "2026-12-05 09:05")  # Saturday: over; the director and the admin hear
    runtime.scheduler.tick()
    runtime.scheduler.tick()
    assert _ended(desk, cycle) == {"admin": 1, "lihua": 1}
    [notice] = [
        text
        for m, text in zip(desk.queued(), desk.queued_texts(), strict=True)
        if m.idempotency_key.startswith(f"reviews.ended:{cycle}:")
    ][:1]
    assert "已于 2026-12-04 截止" in notice and "/发布360" in notice, notice
    # /360 names it too, for the managers (the demo's finished round may be listed as well)
    line = f"已于 2026-12-04 结束，还有 1 位的总结没有发布：查看 http://127.0.0.1:8000/reviews/360/{cycle}?team="
    assert line in desk.text("/360", as_="lihua")
    assert line not in desk.text("/360", as_="wangwu")  # a reviewer is not a manager
    assert "已向 张三 发布" in desk.text("/发布360 @张三", as_="lihua")
    assert f"/reviews/360/{cycle}?" not in desk.text("/360", as_="lihua")
    set_clock(runtime, "2026-12-07 09:05")  # no second notice on later days
    runtime.scheduler.tick()
    assert _ended(desk, cycle) == {"admin": 1, "lihua": 1}


def test_a_cycle_closed_early_says_the_day_it_closed(desk: ChatDriver) -> None:
    """Tester F22 (session 18): a cycle due 12-20 and closed by /结束360 on 12-03 read
    「已于 2026-12-20 结束」 under /360: its due day, in the future, in the past tense."""
    runtime = desk.runtime
    cycle = start(runtime, "zhangsan")  # due Friday 2026-12-04
    set_clock(runtime, "2026-12-02 15:00")
    assert "结束" in desk.text("/结束360", as_="lihua")
    listed = desk.text("/360", as_="lihua")
    assert (
        f"已于 2026-12-02 结束，还有 1 位的总结没有发布：查看 http://127.0.0.1:8000/reviews/360/{cycle}?"
        in listed
    ), listed
    assert "已于 2026-12-04 结束" not in listed
