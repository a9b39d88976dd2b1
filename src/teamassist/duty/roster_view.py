"""The roster as screens show it (chat's /值班表, the dashboard's month grid, REST warnings):
duty days in rows, each rotation's pieces of the day, the people named and calendar warnings.

A view model only; :func:`teamassist.duty.service.roster` fills it, ``messages`` and the pages
draw it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from teamassist.duty.models import Rotation
from teamassist.duty.rotation import Shift
from teamassist.team.models import Member


@dataclass
class RosterDay:
    """One duty day of the roster: for each rotation, its pieces of that day (empty: day off)."""

    day: date
    cells: list[tuple[Rotation, list[Shift]]]


@dataclass
class RosterView:
    """The roster of ``days`` duty days with the people it mentions and calendar warnings."""

    days: list[RosterDay]
    people: dict[int, Member]
    warnings: list[tuple[Rotation, int]]
    # Rotations without anyone in them (shown as such, not as a day off).
    empty: set[int] = field(default_factory=set)
