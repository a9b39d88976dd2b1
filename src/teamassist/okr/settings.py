"""A team's OKR knobs, in ``team.settings["okr"]``; every one has a default."""

from __future__ import annotations

from dataclasses import dataclass

from teamassist.okr.formulas import AT_RISK, ON_TRACK
from teamassist.okr.models import CycleKind
from teamassist.team.models import Team

GRADING_DAYS = 10  # calendar days after a cycle's end in which check-ins count as late (补登)


@dataclass(frozen=True)
class OkrSettings:
    """What the OKR desk reads from a team's settings."""

    cycle_kind: CycleKind = CycleKind.QUARTER  # the cycle Os are set for
    months: bool = False  # also generate month cycles
    grading_days: int = GRADING_DAYS
    on_track: float = ON_TRACK
    at_risk: float = AT_RISK


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
    )


def _number(value: object, default: int, low: int, high: int) -> int:
    return value if isinstance(value, int) and low <= value <= high else default


def _share(value: object, default: float) -> float:
    return float(value) if isinstance(value, int | float) and 0 <= value <= 1 else default
