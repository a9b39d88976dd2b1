"""The fairness report: per person, duty days (workday / weekend / statutory holiday), duty
hours, sign-in rate, late sign-ins and the average sign-in time, over a date range.

Definitions (all on duty dates, the team's local calendar):

- a **duty day** is one (rotation, duty date) on which the person holds at least one piece of the
  final schedule (after swaps and overrides), as primary or secondary;
- each duty day falls in exactly one category: **holiday** — a statutory day off (法定节假日,
  including the weekend days inside a holiday period) by ``chinese_calendar``; else **weekend** —
  a Saturday or Sunday that is not a 调休 working day; else a working day;
- **due** duty days are those whose sign-in could be expected by ``now``: dates before today, and
  today once the first sign-in reminder time has passed (or the person already signed in);
- **sign-in rate** = signed-in due days / due days;
- a sign-in is **late** when it happens after the first sign-in reminder time of its duty date
  (``team.settings["schedule"]["duty.sign_in_reminder"]``, default 10:00 local) — the reminder
  is what tells people they are late, so the report uses the same line;
- the **average sign-in time** is the mean local time of the sign-ins, counted from the duty
  date's midnight (a sign-in after midnight of the next day counts as 24:xx, not 00:xx).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from teamassist.clock import ensure_utc, parse_hhmm
from teamassist.csvfile import write_csv
from teamassist.duty import service, signin
from teamassist.duty.calendar import CalendarMode, holiday_name, year_table
from teamassist.duty.models import Rotation, SignIn
from teamassist.duty.rotation import CompiledRotation, Shift
from teamassist.exceptions import DomainError
from teamassist.i18n import lookup
from teamassist.team import service as team_service
from teamassist.team import settings as team_settings
from teamassist.team.models import Member, Team

SIGN_IN_JOB = "duty.sign_in_reminder"
DEFAULT_LATE_AFTER = time(10, 0)
MAX_DAYS = 400

WORKDAY = "workday"
WEEKEND = "weekend"
HOLIDAY = "holiday"


def day_kind(day: date) -> str:
    """workday / weekend / holiday (statutory day off) for the fairness counts."""
    table = year_table(CalendarMode.CN_WORKDAYS, day.year)
    if table.known:
        if table.active[day.timetuple().tm_yday - 1]:
            return WORKDAY  # includes 调休 weekends
        return HOLIDAY if holiday_name(day) else WEEKEND
    return WEEKEND if day.weekday() >= 5 else WORKDAY


@dataclass
class PersonFairness:
    """One person's line of the report."""

    member_id: int
    duty_days: int = 0
    workdays: int = 0
    weekend_days: int = 0
    holiday_days: int = 0
    hours: float = 0.0
    due_days: int = 0
    signed_days: int = 0
    late_sign_ins: int = 0
    sign_in_minutes: list[int] = field(default_factory=list)
    rotations: set[int] = field(default_factory=set)

    @property
    def sign_in_rate(self) -> float | None:
        """Signed-in share of the due duty days (None when none was due)."""
        return self.signed_days / self.due_days if self.due_days else None

    @property
    def average_sign_in(self) -> str | None:
        """Mean sign-in time as HH:MM after the duty date's midnight (may exceed 24:00)."""
        if not self.sign_in_minutes:
            return None
        mean = round(sum(self.sign_in_minutes) / len(self.sign_in_minutes))
        return f"{mean // 60:02d}:{mean % 60:02d}"


@dataclass
class FairnessReport:
    """The report for [first, last] and the settings it was computed with."""

    first: date
    last: date
    late_after: time
    people: list[PersonFairness]
    balance: float | None  # mean over pairs of min/max duty days (1 = perfectly even)
    # Years whose duty days were sorted into workday/weekend on a Monday–Friday guess (no
    # official holiday data yet): their holiday counts may be too low.
    provisional_years: list[int] = field(default_factory=list)


def compute(
    shifts: Iterable[Shift],
    sign_ins: Iterable[SignIn],
    *,
    first: date,
    last: date,
    now: datetime,
    timezone: str,
    late_after: time = DEFAULT_LATE_AFTER,
    member_ids: Sequence[int] = (),
) -> FairnessReport:
    """The report from final shifts and sign-in rows (pure; no database).

    ``member_ids`` lists people to include even without any duty (rotation members).
    """
    zone = ZoneInfo(timezone)
    local_now = ensure_utc(now).astimezone(zone)
    today = local_now.date()
    people: dict[int, PersonFairness] = {m: PersonFairness(m) for m in member_ids}
    duty: dict[tuple[int, int, date], bool] = {}
    for shift in shifts:
        if not first <= shift.duty_date <= last:
            continue
        hours = (shift.end - shift.start).total_seconds() / 3600
        for member_id in shift.member_ids:
            person = people.setdefault(member_id, PersonFairness(member_id))
            person.hours += hours
            person.rotations.add(shift.rotation_id)
            duty[(member_id, shift.rotation_id, shift.duty_date)] = True
    signs: dict[tuple[int, int, date], SignIn] = {
        (row.member_id, row.rotation_id, row.duty_date): row for row in sign_ins
    }
    guessed: set[int] = set()
    for member_id, rotation_id, day in duty:
        if not year_table(CalendarMode.CN_WORKDAYS, day.year).known:
            guessed.add(day.year)
        person = people[member_id]
        person.duty_days += 1
        kind = day_kind(day)
        if kind == HOLIDAY:
            person.holiday_days += 1
        elif kind == WEEKEND:
            person.weekend_days += 1
        else:
            person.workdays += 1
        row = signs.get((member_id, rotation_id, day))
        threshold = datetime.combine(day, late_after, tzinfo=zone)
        due = day < today or (day == today and (local_now >= threshold or row is not None))
        if not due:
            continue
        person.due_days += 1
        if row is None:
            continue
        person.signed_days += 1
        signed_local = ensure_utc(row.signed_in_at).astimezone(zone)
        if signed_local > threshold:
            person.late_sign_ins += 1
        midnight = datetime.combine(day, time(0, 0), tzinfo=zone)
        person.sign_in_minutes.append(int((signed_local - midnight).total_seconds() // 60))
    ordered = sorted(people.values(), key=lambda p: (-p.duty_days, p.member_id))
    return FairnessReport(
        first, last, late_after, ordered, _balance(ordered), provisional_years=sorted(guessed)
    )


def _balance(people: Sequence[PersonFairness]) -> float | None:
    """Grafana OnCall's balance: mean over pairs of min/max of their loads (here duty days)."""
    loads = [p.duty_days for p in people]
    if len(loads) < 2:
        return None
    total, pairs = 0.0, 0
    for i, a in enumerate(loads):
        for b in loads[i + 1 :]:
            pairs += 1
            total += (min(a, b) / max(a, b)) if max(a, b) else 1.0
    return total / pairs


def late_after(team: Team) -> time:
    """The first configured sign-in reminder time of ``team`` (10:00 by default)."""
    times = team_settings.schedule(team, {SIGN_IN_JOB: signin.SIGN_IN_REMINDER_TIMES})
    configured = times[SIGN_IN_JOB]
    return min(parse_hhmm(v) for v in configured) if configured else DEFAULT_LATE_AFTER


def report(
    session: Session,
    *,
    team: Team,
    first: date,
    last: date,
    now: datetime,
    rotation: Rotation | None = None,
) -> FairnessReport:
    """The fairness report of ``team`` (or one rotation) for duty dates [first, last]."""
    if last < first:
        raise DomainError(
            "duty.error.date_range_backwards", first=first.isoformat(), last=last.isoformat()
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise DomainError("duty.error.date_range_too_long", limit=MAX_DAYS)
    chosen = [rotation] if rotation is not None else service.rotations(session, team=team)
    specs = service.load_specs(session, team=team, only=chosen)
    # A day of margin each side: rotations may hand off at different local times.
    start, end = service.days_window(team, first - timedelta(days=1), (last - first).days + 3)
    shifts = [s for spec in specs for s in CompiledRotation(spec).shifts(start, end)]
    ids = {r.id for r in chosen}
    rows = [
        row
        for row in signin.sign_ins(session, team=team, first=first, last=last)
        if row.rotation_id in ids
    ]
    members = sorted({m for spec in specs for v in spec.versions for m in v.member_ids})
    return compute(
        shifts,
        rows,
        first=first,
        last=last,
        now=now,
        timezone=team.timezone,
        late_after=late_after(team),
        member_ids=members,
    )


def to_csv(result: FairnessReport, members: dict[int, Member]) -> str:
    """The report as CSV (BOM first, formula-safe: see :mod:`teamassist.csvfile`)."""
    header = lookup("duty.fairness.csv_header")
    rows = []
    for p in result.people:
        member = members.get(p.member_id)
        rate = p.sign_in_rate
        rows.append(
            [
                member.display_name if member else str(p.member_id),
                p.duty_days,
                p.weekend_days,
                p.holiday_days,
                f"{p.hours:.1f}",
                p.due_days,
                p.signed_days,
                f"{rate:.2f}" if rate is not None else "",
                p.late_sign_ins,
                p.average_sign_in or "",
            ]
        )
    return write_csv(list(header) if isinstance(header, list) else [], rows)


def member_names(session: Session, result: FairnessReport) -> dict[int, Member]:
    """The members a report mentions."""
    return team_service.members_by_id(session, (p.member_id for p in result.people))


def group_by_kind(result: FairnessReport) -> dict[str, list[int]]:
    """Series for a stacked chart: workdays / weekend / holiday days per person, in order."""
    series: dict[str, list[int]] = defaultdict(list)
    for p in result.people:
        series[WORKDAY].append(p.workdays)
        series[WEEKEND].append(p.weekend_days)
        series[HOLIDAY].append(p.holiday_days)
    return dict(series)
