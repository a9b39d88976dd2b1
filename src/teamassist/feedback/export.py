"""Feedback as CSV, one row per item with its response times."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from teamassist.csvfile import write_csv
from teamassist.feedback.models import FeedbackItem
from teamassist.feedback.stats import response_times
from teamassist.ports import Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Team

CSV_COLUMNS = [
    "id",
    "team_id",
    "kind",
    "status",
    "text",
    "reporter",
    "owner",
    "created_at",
    "acknowledged_at",
    "resolved_at",
    "duplicate_of",
    "plus_ones",
    "resolution_note",
    "acknowledge_seconds",
    "acknowledge_work_seconds",
    "resolve_seconds",
    "resolve_work_seconds",
    "work_provisional_years",
]


def export_csv(
    session: Session, *, items: Iterable[FeedbackItem], teams: dict[int, Team], workdays: Workdays
) -> str:
    """Render items as CSV (BOM first, formula-safe: see :mod:`teamassist.csvfile`)."""
    rows = list(items)
    lines: list[tuple[object, ...]] = []
    people = team_service.members_by_id(session, [i.owner_id for i in rows])
    for item in rows:
        team = teams[item.team_id]
        times = response_times(item, team=team, workdays=workdays)
        owner = people.get(item.owner_id) if item.owner_id is not None else None
        lines.append(
            (
                item.id,
                item.team_id,
                item.kind,
                item.status,
                item.text,
                item.reporter_name,
                owner.display_name if owner else "",
                item.created_at.isoformat(),
                item.acknowledged_at.isoformat() if item.acknowledged_at else "",
                item.resolved_at.isoformat() if item.resolved_at else "",
                item.duplicate_of_id or "",
                item.plus_ones,
                item.resolution_note or "",
                _secs(times.acknowledge_wall),
                _secs(times.acknowledge_work),
                _secs(times.resolve_wall),
                _secs(times.resolve_work),
                " ".join(str(y) for y in times.provisional_years),
            )
        )
    return write_csv(CSV_COLUMNS, lines)


def _secs(value: float | None) -> str:
    return "" if value is None else str(round(value))
