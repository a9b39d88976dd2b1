"""The 1on1 slot rule on the China calendar (chinese_calendar through the Workdays port), with
the spec's cases (okr-wave-spec §3 case 16): 国庆 2026 is 10-01..10-07, Spring Festival 2026
is 02-15..02-23 (调休 working days 02-14 and 02-28); 2027 has no official data (a
Monday–Friday guess, marked provisional by the service)."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from teamassist.one_on_ones import rules
from teamassist.one_on_ones.rules import Cadence, HolidayPolicy, Slot
from teamassist.workdays.china import ChinaWorkdays

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKDAYS = ChinaWorkdays()


def _local(slot: Slot, first: str, last: str) -> dict[str, str]:
    found = rules.plan(
        slot,
        zone="Asia/Shanghai",
        workdays=WORKDAYS,
        first=date.fromisoformat(first),
        last=date.fromisoformat(last),
    )
    return {p.key: p.start.astimezone(SHANGHAI).strftime("%Y-%m-%d %a %H:%M") for p in found}


def test_the_first_thursday_of_october_2026_moves_past_the_national_day() -> None:
    # Given 张三's slot "每月第1个周四 10:00"
    slot = Slot(Cadence.MONTHLY, weekday=4, at=time(10, 0), nth=1)
    # When October to December 2026 are planned
    plan = _local(slot, "2026-10-01", "2026-12-31")
    # Then 10-01 (国庆) moves to the first working day after, Thursday 10-08, 10:00
    assert plan == {
        "2026-10": "2026-10-08 Thu 10:00",
        "2026-11": "2026-11-05 Thu 10:00",
        "2026-12": "2026-12-03 Thu 10:00",
    }


def test_a_fifth_monday_in_february_2026_is_the_last_one_then_moved_off_the_holiday() -> None:
    # Given "第5个周一": February 2026 has four Mondays (2, 9, 16, 23)
    assert rules.nth_weekday(2026, 2, 5, 1) == date(2026, 2, 23)
    slot = Slot(Cadence.MONTHLY, weekday=1, at=time(9, 30), nth=5)
    # When February and March are planned
    plan = _local(slot, "2026-02-01", "2026-03-31")
    # Then 02-23 is still Spring Festival: Tuesday 02-24; March has a fifth Monday (03-30)
    assert plan == {"2026-02": "2026-02-24 Tue 09:30", "2026-03": "2026-03-30 Mon 09:30"}


def test_the_first_weekday_is_index_one_and_reads_from_chat() -> None:
    # "第1个周一" (the seed's weekth index 0) is the month's first Monday
    assert rules.read_slot("每月第1个周一 09:00") == (Cadence.MONTHLY, 1, 1, time(9, 0))
    assert rules.read_slot("每月第一个周一 9:00") == (Cadence.MONTHLY, 1, 1, time(9, 0))
    assert rules.nth_weekday(2026, 6, 1, 1) == date(2026, 6, 1)
    assert rules.read_slot("每月第5个 周日 10:00") == (Cadence.MONTHLY, 5, 7, time(10, 0))
    assert rules.read_slot("每两周 周三 15:00") == (Cadence.BIWEEKLY, None, 3, time(15, 0))
    assert rules.read_slot("每周 星期五 16:30") == (Cadence.WEEKLY, None, 5, time(16, 30))
    assert rules.read_slot("monthly 1st thu 10:00") == (Cadence.MONTHLY, 1, 4, time(10, 0))
    assert rules.read_slot("biweekly Wed 15:00") == (Cadence.BIWEEKLY, None, 3, time(15, 0))


@pytest.mark.parametrize(
    "text",
    [
        "每月第6个周一 09:00",
        "每月第0个周一 09:00",
        "每月第1个周八 09:00",
        "每周 周三 25:00",
        "明天",
    ],
)
def test_a_slot_the_rule_cannot_hold_is_not_read(text: str) -> None:
    assert rules.read_slot(text) is None


def _every_month(nth: int, weekday: int, policy: HolidayPolicy) -> list[rules.Planned]:
    slot = Slot(Cadence.MONTHLY, weekday=weekday, at=time(10, 0), nth=nth, holiday=policy)
    return rules.plan(
        slot,
        zone="Asia/Shanghai",
        workdays=WORKDAYS,
        first=date(2026, 1, 1),
        last=date(2027, 12, 31),
    )


@pytest.mark.parametrize("nth", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("weekday", [1, 2, 3, 4, 5, 6, 7])
def test_every_monthly_slot_of_2026_and_2027_lands_on_a_working_day_by_the_rule(
    nth: int, weekday: int
) -> None:
    # Given every slot 第N个周X, when the 24 months of 2026–2027 are planned
    found = _every_month(nth, weekday, HolidayPolicy.LATER)
    # Then each month has one, on a working day, the first working day on or after its
    # nominal day (the Nth weekday, or the month's last one)
    assert [p.key for p in found] == [f"{y}-{m:02d}" for y in (2026, 2027) for m in range(1, 13)]
    for p in found:
        year, month = int(p.key[:4]), int(p.key[5:])
        assert p.nominal == rules.nth_weekday(year, month, nth, weekday)
        assert p.nominal.isoweekday() == weekday and p.nominal.month == month
        assert WORKDAYS.is_workday(p.day), p
        between = [p.nominal + timedelta(days=d) for d in range((p.day - p.nominal).days)]
        assert not any(WORKDAYS.is_workday(d) for d in between), p


@pytest.mark.parametrize("weekday", [1, 2, 3, 4, 5, 6, 7])
def test_earlier_moves_back_and_keep_stays(weekday: int) -> None:
    for p in _every_month(1, weekday, HolidayPolicy.EARLIER):
        assert WORKDAYS.is_workday(p.day) and p.day <= p.nominal
    for p in _every_month(1, weekday, HolidayPolicy.KEEP):
        assert p.day == p.nominal


@pytest.mark.parametrize("cadence", [Cadence.WEEKLY, Cadence.BIWEEKLY])
def test_weekly_and_biweekly_slots_of_2026_and_2027_land_on_working_days(
    cadence: Cadence,
) -> None:
    slot = Slot(cadence, weekday=1, at=time(15, 0), anchor=date(2026, 1, 5))
    found = rules.plan(
        slot,
        zone="Asia/Shanghai",
        workdays=WORKDAYS,
        first=date(2026, 1, 1),
        last=date(2027, 12, 31),
    )
    step = 7 if cadence is Cadence.WEEKLY else 14
    assert all(WORKDAYS.is_workday(p.day) for p in found)
    assert all((p.nominal - date(2026, 1, 5)).days % step == 0 for p in found)
    days = [p.day for p in found]
    assert days == sorted(set(days))  # never two on one day
    # Spring Festival 2026: Monday 02-16 would move to 02-24, past the next Monday (02-23,
    # itself moved to 02-24): the week is dropped, not doubled
    if cadence is Cadence.WEEKLY:
        keys = {p.key for p in found}
        assert "2026-02-16" not in keys and "2026-02-23" in keys
        assert {p.key: p.day for p in found}["2026-02-23"] == date(2026, 2, 24)
