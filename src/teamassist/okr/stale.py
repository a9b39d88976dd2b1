"""A published KR not checked in within the team's cadence, and who counts as having left:
what the reminders find and their notices show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from teamassist.okr.formulas import Status
from teamassist.okr.models import KeyResult, Objective
from teamassist.team.models import Member


def departed(member: Member | None) -> bool:
    """Whether someone has left: deactivated or merged into another member."""
    return member is not None and (not member.active or member.merged_into_id is not None)


@dataclass
class Stale:
    """A published KR not checked in within the cadence."""

    key_result: KeyResult
    objective: Objective
    owner: Member | None
    last: date  # the last check-in's local date (or the publication's)
    checked_in: bool  # False: never checked in since publication
    reminded: int  # reminders since the last check-in, before today
    status: Status | None = None

    def days(self, today: date) -> int:
        """Days since the last check-in (or publication)."""
        return (today - self.last).days
