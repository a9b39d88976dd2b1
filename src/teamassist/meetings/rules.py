"""Occurrences by rule, for any year: which meetings a team has, their names and step times.

The rule (nothing hard-coded but the seed's defaults in :mod:`teamassist.meetings.settings`):

- **Weekly**: one occurrence per week, anchored on its nominal notice day (default Friday);
  the report is due on the first ``due_weekday`` on or after it (Monday) and the meeting starts
  on the first ``start_weekday`` on or after it (Tuesday).
- **Period meetings**: each month has one, of the largest enabled kind ending that month
  (December: annual, else half-year, quarterly, monthly; June: half-year; March and September:
  quarterly; other months: monthly) — so when two period meetings coincide the larger wins.
  It is anchored on the month's **last** weekly notice day (the last Friday) and keeps the
  weekly cadence from there (report due Monday, meeting Tuesday), its notice going out
  ``notice_lead_days`` earlier (quarter, half-year and year ends: 7). It **replaces the weekly
  meeting anchored on the same day** (the seed's cancelled weekly dates were exactly these).
- **Holidays** (the ``Workdays`` port: statutory days off skipped, 调休 Saturdays working): a step
  on a day off moves to the next working day (``later``), the previous one (``earlier``) or stays
  (``keep``), per series. Steps keep their order: a step that would then come before the step
  before it moves on, working day by working day, until it comes after it. A report deadline
  the move puts on the notice's own day (nominally on different days) moves to the next working
  day: a notice at 08:30 and a deadline at 17:30 leave no time to write a week's report. The 国庆
  week of 2026 is the case: the Friday 10-02 notice and Monday 10-05 deadline both land on
  Thursday 10-08, so the deadline is Friday 10-09 17:30 and the meeting the 调休 Saturday 10-10
  08:30 (a working day).
- A year without official holiday data is a Monday–Friday guess: its occurrences are marked
  ``provisional`` (the admins are told once per year, see :mod:`teamassist.meetings.service`).

Names: ``2026年11月OKR月会`` / ``2026年11月OKR月报``, ``2026年3季度OKR季度会`` / ``…季报``,
``2026年OKR半年会``, ``2026年OKR年会`` (the year and month are the period's, not today's: the
seed named a January notice after the wrong year). ``next`` is what the period meeting asks to
plan: the next quarter's number, and in December ``下年OKR及下年1`` (next year's OKRs and Q1).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from teamassist.clock import parse_hhmm
from teamassist.meetings.settings import HolidayPolicy, Kind, MeetingSettings, Series
from teamassist.ports import Workdays

# Months that end a larger period, largest first per month.
_ENDING: dict[int, tuple[Kind, ...]] = {
    12: (Kind.ANNUAL, Kind.HALF_YEAR, Kind.QUARTERLY),
    6: (Kind.HALF_YEAR, Kind.QUARTERLY),
    3: (Kind.QUARTERLY,),
    9: (Kind.QUARTERLY,),
}
_MAX_SHIFT = 40  # days a holiday move may look (the longest run of days off is ~10)


@dataclass(frozen=True)
class Planned:
    """One occurrence as the rule has it; instants are tz-aware UTC."""

    key: str  # stable per team: "weekly:2026-10-02", "monthly:2026-11", "annual:2026-12"
    kind: Kind
    title: str
    report_title: str
    next_label: str  # what {next} says ("" for weekly and monthly meetings)
    period_start: date
    period_end: date
    notice_at: datetime
    due_at: datetime
    start_at: datetime
    end_at: datetime
    evaluation: bool
    provisional: bool


def period_kind(month: int, settings: MeetingSettings) -> Kind | None:
    """The month's period meeting: the largest enabled kind ending in it (None: all off)."""
    for kind in (*_ENDING.get(month, ()), Kind.MONTHLY):
        if settings[kind].enabled:
            return kind
    return None


def last_weekday(year: int, month: int, weekday: int) -> date:
    """The last date of ``year``-``month`` on ISO ``weekday``."""
    day = date(year, month, calendar.monthrange(year, month)[1])
    return day - timedelta(days=(day.isoweekday() - weekday) % 7)


def moved(day: date, policy: HolidayPolicy, workdays: Workdays) -> date:
    """``day``, or the working day the policy moves it to when it is a day off."""
    if policy is HolidayPolicy.KEEP:
        return day
    step = timedelta(days=1 if policy is HolidayPolicy.LATER else -1)
    for _ in range(_MAX_SHIFT):
        if workdays.is_workday(day):
            return day
        day += step
    return day


def _at(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, parse_hhmm(hhmm), tzinfo=zone).astimezone(UTC)


def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.isoweekday()) % 7)


def steps(
    anchor: date, series: Series, zone: ZoneInfo, workdays: Workdays
) -> tuple[datetime, datetime, datetime]:
    """(notice, due, start) of the occurrence anchored on ``anchor`` (its nominal notice day
    before any lead), holidays moved and order kept; UTC."""
    days = (
        anchor - timedelta(days=series.notice_lead_days),
        _on_or_after(anchor, series.due_weekday),
        _on_or_after(anchor, series.start_weekday),
    )
    times = (series.notice_time, series.due_time, series.start_time)
    found: list[datetime] = []
    notice_day = moved(days[0], series.holiday, workdays)
    for index, (day, hhmm) in enumerate(zip(days, times, strict=True)):
        nominal, day = day, moved(day, series.holiday, workdays)
        if index == 1 and nominal != days[0] and day == notice_day:  # the deadline; see above
            day = moved(day + timedelta(days=1), HolidayPolicy.LATER, workdays)
        instant = _at(day, hhmm, zone)
        while found and instant < found[-1]:
            day = moved(day + timedelta(days=1), HolidayPolicy.LATER, workdays)
            instant = _at(day, hhmm, zone)
        found.append(instant)
    return found[0], found[1], found[2]


def planned_steps(
    key: str, settings: MeetingSettings, zone_name: str, workdays: Workdays
) -> tuple[datetime, datetime, datetime]:
    """(notice, due, start) the rule gives the occurrence ``key`` (``weekly:2026-10-02``,
    ``monthly:2026-11``) under today's ``settings``: what a moved meeting's steps are worked out
    from, so moving it back gives its own times back (tester s26 B-7)."""
    kind_text, _, when = key.partition(":")
    kind = Kind(kind_text)
    if kind is Kind.WEEKLY:
        anchor = date.fromisoformat(when)
    else:
        year, month = (int(part) for part in when.split("-"))
        anchor = last_weekday(year, month, settings[Kind.WEEKLY].notice_weekday)
    return steps(anchor, settings[kind], ZoneInfo(zone_name), workdays)


def _label(value: datetime, zone: ZoneInfo) -> str:
    local = value.astimezone(zone)
    return f"{local.month}月{local.day}日"


def names(kind: Kind, year: int, month: int) -> tuple[str, str, str]:
    """(meeting title, report title, next) of the period meeting of ``year``-``month``."""
    if kind is Kind.MONTHLY:
        return f"{year}年{month}月OKR月会", f"{year}年{month}月OKR月报", ""
    if kind is Kind.QUARTERLY:
        quarter = (month - 1) // 3 + 1
        following = "下年OKR及下年1" if quarter == 4 else str(quarter + 1)
        return f"{year}年{quarter}季度OKR季度会", f"{year}年{quarter}季度OKR季报", following
    if kind is Kind.HALF_YEAR:
        if month == 12:  # only when the annual meeting is switched off
            return f"{year}年下半年OKR半年会", f"{year}年下半年OKR半年报", "下年OKR及下年1"
        return f"{year}年OKR半年会", f"{year}年OKR半年报", "3"
    return f"{year}年OKR年会", f"{year}年OKR年报", "下年OKR及下年1"


def period_of(kind: Kind, year: int, month: int) -> tuple[date, date]:
    """The dates (inclusive) a period meeting reports on."""
    span = {Kind.MONTHLY: 1, Kind.QUARTERLY: 3, Kind.HALF_YEAR: 6, Kind.ANNUAL: 12}[kind]
    first = date(year, month - span + 1, 1)
    return first, date(year, month, calendar.monthrange(year, month)[1])


def _provisional(workdays: Workdays, *instants: datetime) -> bool:
    return any(not workdays.is_official(i.year) for i in instants)


def plan(
    settings: MeetingSettings, zone_name: str, workdays: Workdays, first: date, last: date
) -> list[Planned]:
    """Every occurrence anchored in [first, last] (team-local dates), by start time."""
    zone = ZoneInfo(zone_name)
    weekly = settings[Kind.WEEKLY]
    found: list[Planned] = []
    replaced: set[date] = set()
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        kind = period_kind(month, settings)
        anchor = last_weekday(year, month, weekly.notice_weekday)
        if kind is not None and first <= anchor <= last:
            series = settings[kind]
            notice, due, start = steps(anchor, series, zone, workdays)
            title, report, following = names(kind, year, month)
            period_start, period_end = period_of(kind, year, month)
            found.append(
                Planned(
                    key=f"{kind.value}:{year:04d}-{month:02d}",
                    kind=kind,
                    title=title,
                    report_title=report,
                    next_label=following,
                    period_start=period_start,
                    period_end=period_end,
                    notice_at=notice,
                    due_at=due,
                    start_at=start,
                    end_at=start + timedelta(minutes=series.duration_minutes),
                    evaluation=series.evaluation,
                    provisional=_provisional(workdays, notice, start),
                )
            )
            replaced.add(anchor)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if weekly.enabled:
        day = _on_or_after(first, weekly.notice_weekday)
        while day <= last:
            if day not in replaced:
                notice, due, start = steps(day, weekly, zone, workdays)
                nominal_due = _on_or_after(day, weekly.due_weekday)
                found.append(
                    Planned(
                        key=f"weekly:{day.isoformat()}",
                        kind=Kind.WEEKLY,
                        title=f"{_label(start, zone)}OKR周会",
                        report_title=(
                            f"OKR周报{nominal_due - timedelta(days=7):%Y/%m/%d}-{nominal_due:%m/%d}"
                        ),
                        next_label="",
                        period_start=nominal_due - timedelta(days=7),
                        period_end=nominal_due - timedelta(days=1),
                        notice_at=notice,
                        due_at=due,
                        start_at=start,
                        end_at=start + timedelta(minutes=weekly.duration_minutes),
                        evaluation=weekly.evaluation,
                        provisional=_provisional(workdays, notice, start),
                    )
                )
            day += timedelta(days=7)
    return sorted(found, key=lambda p: (p.start_at, p.key))
