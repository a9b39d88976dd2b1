"""A team's action-item knobs, in ``team.settings["actions"]``; every one has a default."""

from __future__ import annotations

from dataclasses import dataclass

from teamassist.clock import is_hhmm
from teamassist.team.models import Team

REMINDER_TIME = "09:30"  # team-local time of the daily overdue reminder
END_OF_DAY = "18:00"  # a due date written without a time means this time that day
ESCALATE_AFTER = 2  # working days overdue before an item goes to the director's digest


@dataclass(frozen=True)
class ActionSettings:
    """What the action-item desk reads from a team's settings."""

    reminder_time: str = REMINDER_TIME
    end_of_day: str = END_OF_DAY
    escalate_after: int = ESCALATE_AFTER


def of(team: Team) -> ActionSettings:
    """The team's settings; a missing or unreadable value takes its default."""
    raw = (team.settings or {}).get("actions") or {}
    escalate = raw.get("escalate_after")
    return ActionSettings(
        reminder_time=raw["reminder_time"] if is_hhmm(raw.get("reminder_time")) else REMINDER_TIME,
        end_of_day=raw["end_of_day"] if is_hhmm(raw.get("end_of_day")) else END_OF_DAY,
        escalate_after=(
            escalate
            if isinstance(escalate, int) and not isinstance(escalate, bool) and 1 <= escalate <= 60
            else ESCALATE_AFTER
        ),
    )
