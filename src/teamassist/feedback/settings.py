"""A team's feedback desk settings (``team.settings["feedback"]``), with defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from teamassist.feedback.worktime import WorkHours
from teamassist.team.models import Team

DEFAULT_RENOTIFY_MINUTES = 30
DEFAULT_ESCALATE_MINUTES = 120


@dataclass(frozen=True)
class DeskSettings:
    """A team's feedback knobs (``team.settings["feedback"]``)."""

    default_owner: str | None = None
    renotify_minutes: int = DEFAULT_RENOTIFY_MINUTES
    escalate_minutes: int = DEFAULT_ESCALATE_MINUTES
    work_hours: WorkHours = field(default_factory=WorkHours)


def desk_settings(team: Team) -> DeskSettings:
    """Read the team's feedback settings, with defaults for anything missing."""
    raw: dict[str, Any] = (team.settings or {}).get("feedback", {}) or {}
    return DeskSettings(
        default_owner=raw.get("default_owner") or None,
        renotify_minutes=int(raw.get("renotify_minutes", DEFAULT_RENOTIFY_MINUTES)),
        escalate_minutes=int(raw.get("escalate_minutes", DEFAULT_ESCALATE_MINUTES)),
        work_hours=WorkHours.parse(raw.get("work_hours")),
    )
