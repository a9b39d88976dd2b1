"""A team's 有事儿找组织 knobs, in ``team.settings["org_contact"]``; each has a default."""

from __future__ import annotations

from dataclasses import dataclass

from teamassist.team.models import Team

DAILY_LIMIT = 5  # messages one sender may send a day (team-local day), named or not
SMALL_TEAM = 3  # at or below this many members, an anonymous sender is told anonymity is weak


@dataclass(frozen=True)
class OrgContactSettings:
    """What the org-contact desk reads from a team's settings."""

    daily_limit: int = DAILY_LIMIT
    small_team: int = SMALL_TEAM


def _int(value: object, default: int, low: int, high: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    return default


def of(team: Team) -> OrgContactSettings:
    """The team's settings; a missing or unreadable value takes its default."""
    raw = (team.settings or {}).get("org_contact") or {}
    return OrgContactSettings(
        daily_limit=_int(raw.get("daily_limit"), DAILY_LIMIT, 1, 1000),
        small_team=_int(raw.get("small_team"), SMALL_TEAM, 0, 1000),
    )
