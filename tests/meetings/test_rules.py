"""The occurrence rule on the China calendar (chinese_calendar through the Workdays port):
国庆 2026 is 10-01..10-07 with 调休 working days Sunday 09-20 and Saturday 10-10; 2027 has no
official data yet (a Monday–Friday guess)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from teamassist.exceptions import Invalid
from teamassist.meetings import rules, settings
from teamassist.meetings.settings import HolidayPolicy, Kind
from teamassist.team.models import Team
from teamassist.workdays.china import ChinaWorkdays

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKDAYS = ChinaWorkdays()


def _team(**meetings: object) -> Team:
    return Team(settings={"meetings": meetings}, timezone="Asia/Shanghai")


def _local(value: datetime) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _plan(team: Team, first: str, last: str) -> dict[str, rules.Planned]:
    found = rules.plan(
        settings.of(team),
        team.timezone,
        WORKDAYS,
        date.fromisoformat(first),
        date.fromisoformat(last),
    )
    return {p.key: p for p in found}


def _steps(p: rules.Planned) -> tuple[str, str, str]:
    return _local(p.notice_at), _local(p.due_at), _local(p.start_at)


def test_the_seed_weekly_cadence_and_the_period_names() -> None:
    plan = _plan(_team(), "2026-11-01", "2026-12-31")
    assert _steps(plan["weekly:2026-11-06"]) == (
        "2026-11-06 08:30",
        "2026-11-09 17:30",
        "2026-11-10 08:30",
    )
    assert plan["weekly:2026-11-06"].report_title == "OKR周报2026/11/02-11/09"
    monthly = plan["monthly:2026-11"]
    assert (monthly.title, monthly.report_title) == ("2026年11月OKR月会", "2026年11月OKR月报")
    # anchored on November's last Friday, it keeps the weekly cadence and replaces that week
    assert _steps(monthly) == ("2026-11-27 08:30", "2026-11-30 17:30", "2026-12-01 08:30")
    assert "weekly:2026-11-27" not in plan
    annual = plan["annual:2026-12"]
    assert (annual.title, annual.next_label) == ("2026年OKR年会", "下年OKR及下年1")
    assert _steps(annual) == ("2026-12-18 08:30", "2026-12-28 17:30", "2026-12-29 08:30")
    assert "weekly:2026-12-25" not in plan and "weekly:2026-12-18" in plan
    assert (annual.period_start, annual.period_end) == (date(2026, 1, 1), date(2026, 12, 31))


def test_the_larger_period_meeting_wins_its_month() -> None:
    assert rules.period_kind(12, settings.of(_team())) is Kind.ANNUAL
    assert rules.period_kind(6, settings.of(_team())) is Kind.HALF_YEAR
    assert rules.period_kind(9, settings.of(_team())) is Kind.QUARTERLY
    assert rules.period_kind(11, settings.of(_team())) is Kind.MONTHLY
    no_annual = settings.of(_team(annual={"enabled": False}))
    assert rules.period_kind(12, no_annual) is Kind.HALF_YEAR
    only_months = settings.of(
        _team(annual={"enabled": False}, half_year={"enabled": False}, quarterly={"enabled": False})
    )
    assert rules.period_kind(12, only_months) is Kind.MONTHLY
    plan = _plan(
        _team(annual={"enabled": False}, half_year={"enabled": False}), "2026-12-01", "2026-12-31"
    )
    assert plan["quarterly:2026-12"].title == "2026年4季度OKR季度会"
    assert plan["quarterly:2026-12"].next_label == "下年OKR及下年1"


def test_steps_on_national_day_move_to_the_next_working_day_in_order() -> None:
    plan = _plan(_team(), "2026-09-01", "2026-10-31")
    quarterly = plan["quarterly:2026-09"]
    assert quarterly.title == "2026年3季度OKR季度会" and quarterly.next_label == "4"
    assert _steps(quarterly) == ("2026-09-18 08:30", "2026-09-28 17:30", "2026-09-29 08:30")
    # Friday 10-02 and Monday 10-05 are off: both would go to Thursday 10-08, but a deadline
    # on the notice's own day leaves no time to write, so it is Friday 10-09 17:30; the meeting
    # (Tuesday 10-06, off) must follow it: the 调休 Saturday 10-10 is a working day.
    assert _steps(plan["weekly:2026-10-02"]) == (
        "2026-10-08 08:30",
        "2026-10-09 17:30",
        "2026-10-10 08:30",
    )
    assert plan["weekly:2026-10-02"].title == "10月10日OKR周会"
    # the next week is untouched: its notice on Friday 10-09 is the day before that meeting
    assert _steps(plan["weekly:2026-10-09"]) == (
        "2026-10-09 08:30",
        "2026-10-12 17:30",
        "2026-10-13 08:30",
    )
    assert not plan["weekly:2026-10-02"].provisional


def test_policies_earlier_keep_and_a_tiaoxiu_saturday() -> None:
    assert rules.moved(date(2026, 10, 5), HolidayPolicy.EARLIER, WORKDAYS) == date(2026, 9, 30)
    assert rules.moved(date(2026, 10, 5), HolidayPolicy.KEEP, WORKDAYS) == date(2026, 10, 5)
    # a Saturday notice: the 调休 Saturday 10-10 is a working day, the next Saturday is not
    plan = _plan(_team(weekly={"notice_weekday": 6}), "2026-10-09", "2026-10-18")
    assert _local(plan["weekly:2026-10-10"].notice_at) == "2026-10-10 08:30"
    assert _local(plan["weekly:2026-10-17"].notice_at) == "2026-10-19 08:30"
    kept = _plan(_team(weekly={"holiday": "keep"}), "2026-10-01", "2026-10-03")
    assert _steps(kept["weekly:2026-10-02"]) == (
        "2026-10-02 08:30",
        "2026-10-05 17:30",
        "2026-10-06 08:30",
    )


def test_a_year_without_official_data_is_provisional() -> None:
    plan = _plan(_team(), "2026-12-28", "2027-01-10")
    assert plan["weekly:2027-01-01"].provisional
    assert plan["weekly:2027-01-08"].provisional
    # 元旦 is a fixed statutory day off even there: the notice waits for Monday 01-04, the
    # deadline (nominally that Monday) for the next working day, the meeting after it
    assert _steps(plan["weekly:2027-01-01"]) == (
        "2027-01-04 08:30",
        "2027-01-05 17:30",
        "2027-01-06 08:30",
    )


def test_a_deadline_on_the_notice_day_by_choice_stays() -> None:
    # a team that wants the report the day of the notice (Thursday 09:00 → Thursday 18:00)
    # keeps it: only a holiday move that joins two days pushes the deadline
    team = _team(weekly={"notice_weekday": 4, "notice_time": "09:00", "due_weekday": 4})
    plan = _plan(team, "2026-11-02", "2026-11-08")
    assert _steps(plan["weekly:2026-11-05"])[:2] == ("2026-11-05 09:00", "2026-11-05 17:30")


def test_edited_times_and_texts() -> None:
    team = _team(
        weekly={"notice_weekday": 4, "notice_time": "16:00", "start_time": "10:00", "place": "A座"},
        monthly={"notice_time": "25:00", "core_text": "{meeting} {nonsense}"},
    )
    read = settings.of(team)
    assert (read[Kind.WEEKLY].notice_time, read[Kind.WEEKLY].place) == ("16:00", "A座")
    # unreadable values keep their defaults rather than stopping the team's meetings
    assert read[Kind.MONTHLY].notice_time == "08:30"
    assert read[Kind.MONTHLY].core_text == settings.DEFAULTS[Kind.MONTHLY].core_text
    plan = _plan(team, "2026-11-02", "2026-11-08")
    assert _steps(plan["weekly:2026-11-05"]) == (
        "2026-11-05 16:00",
        "2026-11-09 17:30",
        "2026-11-10 10:00",
    )
    with pytest.raises(Invalid):
        settings.check_text("会议 {0}")
    assert settings.check_text("{meeting}于{start}在{place}") == "{meeting}于{start}在{place}"
