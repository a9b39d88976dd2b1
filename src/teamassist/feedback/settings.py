"""A team's feedback desk settings (``team.settings["feedback"]``), with defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from teamassist.clock import is_hhmm, parse_hhmm
from teamassist.exceptions import DomainError, Invalid, NotFound
from teamassist.feedback.worktime import WorkHours
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.names import fold

DEFAULT_RENOTIFY_MINUTES = 30
DEFAULT_ESCALATE_MINUTES = 120


@dataclass(frozen=True)
class DeskSettings:
    """A team's feedback knobs (``team.settings["feedback"]``)."""

    default_owner: str | None = None
    renotify_minutes: int = DEFAULT_RENOTIFY_MINUTES
    escalate_minutes: int = DEFAULT_ESCALATE_MINUTES
    work_hours: WorkHours = field(default_factory=WorkHours)
    # Escalations wait for the end of the admins' quiet hours unless the team opts in.
    escalate_in_quiet_hours: bool = False


def desk_settings(team: Team) -> DeskSettings:
    """Read the team's feedback settings, with defaults for anything missing."""
    raw: dict[str, Any] = (team.settings or {}).get("feedback", {}) or {}
    return DeskSettings(
        default_owner=raw.get("default_owner") or None,
        renotify_minutes=int(raw.get("renotify_minutes", DEFAULT_RENOTIFY_MINUTES)),
        escalate_minutes=int(raw.get("escalate_minutes", DEFAULT_ESCALATE_MINUTES)),
        work_hours=WorkHours.parse(raw.get("work_hours")),
        escalate_in_quiet_hours=bool(raw.get("escalate_in_quiet_hours", False)),
    )


KEYS = (
    "default_owner",
    "renotify_minutes",
    "escalate_minutes",
    "work_hours",
    "escalate_in_quiet_hours",
)
MAX_MINUTES = 7 * 24 * 60


def update_desk(session: Session, *, team: Team, changes: Mapping[str, Any]) -> DeskSettings:
    """Change the desk's settings (REST and the dashboard form call this); every value is checked
    before anything changes. ``None`` restores a setting's default; unknown keys are refused;
    a default owner must be an active person of ``team`` (Invalid, 422)."""
    unknown = [key for key in changes if key not in KEYS]
    if unknown:
        raise DomainError("feedback.settings.unknown_key", name=unknown[0], known=", ".join(KEYS))
    cleaned: dict[str, Any] = {}
    for key, value in changes.items():
        cleaned[key] = None if value is None else _check(session, team, key, value)
    raw = dict((team.settings or {}).get("feedback", {}) or {})
    for key, value in cleaned.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    settings = dict(team.settings or {})
    settings["feedback"] = raw
    team.settings = settings  # a new dict, so the JSON column is seen as changed
    session.flush()
    return desk_settings(team)


def _usable_owner(session: Session, team: Team, member: Member) -> str:
    """``member``'s handle, when they can take the team's feedback: active (not left, not set
    to leave, not merged away) and in ``team``, the same people who may act on its items.
    Someone who left or someone of another team was stored (200) and then could not work the
    items routed to them (tester F5, session 20).

    Invalid ``feedback.settings.owner_left`` / ``owner_not_in_team``."""
    if not member.active or member.merged_into_id is not None or member.deactivated_at:
        raise Invalid("feedback.settings.owner_left", name=member.display_name)
    if team_service.role_of(session, team=team, member=member) is None:
        raise Invalid(
            "feedback.settings.owner_not_in_team", name=member.display_name, team=team.name
        )
    return member.handle


def clear_owner(team: Team, *, handle: str) -> bool:
    """Drop the team's default owner when it is ``handle`` (they left the team); returns
    whether it was. The routing falls back to the team's first admin (``flows.default_owner``).
    Flushes nothing: the caller's session sees the new dict on the team."""
    raw = dict((team.settings or {}).get("feedback", {}) or {})
    current = raw.get("default_owner")
    if not current or fold(str(current)) != fold(handle):
        return False
    raw.pop("default_owner")
    settings = dict(team.settings or {})
    settings["feedback"] = raw
    team.settings = settings  # a new dict, so the JSON column is seen as changed
    return True


def _check(session: Session, team: Team, key: str, value: Any) -> Any:
    if key == "default_owner":
        handle = str(value).strip().lstrip("@")
        if not handle:
            return None
        member = team_service.get_member_by_handle(
            session, workspace_id=team.workspace_id, handle=handle
        )
        if member is None:
            raise NotFound("core.error.unknown_member", who=handle)
        return _usable_owner(session, team, member)
    if key in ("renotify_minutes", "escalate_minutes"):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MINUTES:
            raise DomainError("feedback.settings.bad_minutes", name=key, max=MAX_MINUTES)
        return value
    if key == "work_hours":
        pair = list(value) if isinstance(value, list | tuple) else []
        if (
            len(pair) != 2
            or not all(isinstance(v, str) and is_hhmm(v) for v in pair)
            or parse_hhmm(pair[0]) >= parse_hhmm(pair[1])
        ):
            raise DomainError("feedback.settings.bad_work_hours")
        return pair
    if not isinstance(value, bool):
        raise DomainError("feedback.settings.bad_flag", name=key)
    return value
