"""A team's expert-selection knobs, in ``team.settings["awards"]``; each has a default.

Defaults (stated in docs/awards.md): nominations open on the 1st working day of the month at
09:00, voting runs from the 3rd-to-last working day at 09:00, the round closes on the last
working day at 18:00 (team-local wall clock, China working calendar); nominating oneself is
off; a person who won the previous month may not be nominated (``repeat_cap`` 1; 0 = no cap).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from teamassist.clock import is_hhmm
from teamassist.exceptions import Invalid
from teamassist.team.models import Team

KEY = "awards"


@dataclass(frozen=True)
class AwardSettings:
    """What the awards domain reads from a team's settings."""

    auto: bool = True  # the sweep opens and moves rounds; off: only the director's commands
    nominate_day: int = 1  # nominations open on this working day of the month (1 = first)
    open_time: str = "09:00"
    vote_days: int = 3  # voting opens on this working day counted from the month's end
    vote_time: str = "09:00"
    close_time: str = "18:00"  # on the month's last working day
    self_nomination: bool = False
    repeat_cap: int = 1  # consecutive months one may win; 0 = no cap

    def as_dict(self) -> dict[str, Any]:
        """The stored (and REST) form."""
        return asdict(self)


DEFAULTS = AwardSettings()
_INTS = {"nominate_day": (1, 10), "vote_days": (1, 10), "repeat_cap": (0, 12)}
_TIMES = ("open_time", "vote_time", "close_time")
_BOOLS = ("auto", "self_nomination")
# Voting must last at least this long on paper (docs/awards.md): vote_days 1 with vote_time
# 09:00 and close_time 08:00 would otherwise give a vote of minutes, or none at all.
MIN_VOTE_MINUTES = 120


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def vote_minutes(knobs: AwardSettings) -> int:
    """The shortest the vote can last with these settings, in minutes: from ``vote_time`` on
    the ``vote_days``-th-to-last working day to ``close_time`` on the last one, the working
    days taken as back to back (holidays in between only lengthen it)."""
    return (knobs.vote_days - 1) * 24 * 60 + _minutes(knobs.close_time) - _minutes(knobs.vote_time)


def _int(value: object, default: int, low: int, high: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    return default


def of(team: Team) -> AwardSettings:
    """The team's settings; a missing or unreadable value takes its default."""
    raw = (team.settings or {}).get(KEY) or {}
    if not isinstance(raw, dict):
        raw = {}
    base = DEFAULTS.as_dict()
    values: dict[str, Any] = {}
    for name, (low, high) in _INTS.items():
        values[name] = _int(raw.get(name), base[name], low, high)
    for name in _TIMES:
        value = raw.get(name)
        values[name] = value if isinstance(value, str) and is_hhmm(value) else base[name]
    for name in _BOOLS:
        value = raw.get(name)
        values[name] = value if isinstance(value, bool) else base[name]
    return AwardSettings(**values)


def update(team: Team, changes: dict[str, Any]) -> AwardSettings:
    """Validate ``changes`` (any subset of the fields) and store them; raises Invalid
    (``awards.error.setting``) naming the first bad field, or ``awards.error.vote_too_short``
    when voting would last under :data:`MIN_VOTE_MINUTES`, changing nothing."""
    for name, value in changes.items():
        if name in _INTS:
            low, high = _INTS[name]
            ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        elif name in _TIMES:
            ok = isinstance(value, str) and is_hhmm(value)
        elif name in _BOOLS:
            ok = isinstance(value, bool)
        else:
            ok = False
        if not ok:
            raise Invalid("awards.error.setting", name=str(name)[:40])
    merged = {**of(team).as_dict(), **changes}
    knobs = AwardSettings(**merged)
    if vote_minutes(knobs) < MIN_VOTE_MINUTES:
        raise Invalid("awards.error.vote_too_short", hours=MIN_VOTE_MINUTES // 60)
    team.settings = {**(team.settings or {}), KEY: merged}
    return knobs
