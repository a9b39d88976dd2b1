"""A team's OKR knobs, in ``team.settings["okr"]``; every one has a default."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from teamassist.clock import is_hhmm
from teamassist.okr.formulas import AT_RISK, ON_TRACK
from teamassist.okr.models import CycleKind
from teamassist.team.models import Team

GRADING_DAYS = 10  # calendar days after a cycle's end in which check-ins count as late (补登)
REMINDER_TIME = "16:00"  # team-local time of the check-in reminder
REMINDER_WEEKDAYS = (5,)  # ISO weekdays (Friday): weekly
CHECKIN_DAYS = 7  # a KR not checked in for this many days is stale
ESCALATE_AFTER = 2  # reminders a stale KR gets before it goes to the director's digest


@dataclass(frozen=True)
class OkrSettings:
    """What the OKR desk reads from a team's settings."""

    cycle_kind: CycleKind = CycleKind.QUARTER  # the cycle Os are set for
    months: bool = False  # also generate month cycles
    grading_days: int = GRADING_DAYS
    on_track: float = ON_TRACK
    at_risk: float = AT_RISK
    reminder_time: str = REMINDER_TIME
    reminder_weekdays: tuple[int, ...] = REMINDER_WEEKDAYS
    checkin_days: int = CHECKIN_DAYS
    escalate_after: int = ESCALATE_AFTER
    # The team's own exceptions to the China calendar: extra days off, extra working days.
    days_off: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)


def of(team: Team) -> OkrSettings:
    """The team's OKR settings; a missing or unreadable value takes its default."""
    raw = (team.settings or {}).get("okr") or {}
    default = OkrSettings()
    try:
        kind = CycleKind(raw.get("cycle_kind", default.cycle_kind.value))
    except ValueError:
        kind = default.cycle_kind
    return OkrSettings(
        cycle_kind=kind,
        months=bool(raw.get("months", default.months)),
        grading_days=_number(raw.get("grading_days"), default.grading_days, 0, 90),
        on_track=_share(raw.get("on_track"), default.on_track),
        at_risk=_share(raw.get("at_risk"), default.at_risk),
        reminder_time=(
            raw["reminder_time"] if is_hhmm(raw.get("reminder_time")) else default.reminder_time
        ),
        reminder_weekdays=_weekdays(raw.get("reminder_weekdays"), default.reminder_weekdays),
        checkin_days=_number(raw.get("checkin_days"), default.checkin_days, 1, 90),
        escalate_after=_number(raw.get("escalate_after"), default.escalate_after, 1, 52),
        days_off=_dates(raw.get("days_off")),
        extra_workdays=_dates(raw.get("extra_workdays")),
    )


def _weekdays(value: object, default: tuple[int, ...]) -> tuple[int, ...]:
    """ISO weekdays 1–7 (a list, or one number); anything else takes the default."""
    days = [value] if isinstance(value, int) else value
    if not isinstance(days, list) or not days:
        return default
    if not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in days):
        return default
    return tuple(sorted(set(days)))


def _dates(value: object) -> frozenset[date]:
    """ISO dates ("2026-11-20"); an unreadable entry is left out."""
    found: set[date] = set()
    for item in value if isinstance(value, list) else []:
        try:
            found.add(date.fromisoformat(str(item)))
        except ValueError:
            continue
    return frozenset(found)


def _number(value: object, default: int, low: int, high: int) -> int:
    return value if isinstance(value, int) and low <= value <= high else default


def _share(value: object, default: float) -> float:
    return float(value) if isinstance(value, int | float) and 0 <= value <= 1 else default
