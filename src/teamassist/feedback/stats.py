"""Measure the desk: response times per item, aggregates over a period, and their chart data.

``aggregate`` counts (one query over the period); ``chart_data`` only shapes those numbers
for the dashboard's report page (days without items count zero, seconds become hours, series are
named), so the page embeds one JSON document that Chart.js draws as it is.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.exceptions import DomainError
from teamassist.feedback.models import ACTIVE_STATUSES, FeedbackItem, FeedbackKind, FeedbackStatus
from teamassist.feedback.settings import desk_settings
from teamassist.feedback.worktime import provisional_years, working_seconds
from teamassist.i18n import t
from teamassist.ports import Workdays
from teamassist.team.models import Team
from teamassist.team.service import members_by_id

MAX_DAYS = 366  # the report page refuses longer ranges (one bar per day)


# -- response times ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseTimes:
    """Seconds to acknowledge and to resolve, wall-clock and working time (None: not yet)."""

    acknowledge_wall: float | None
    acknowledge_work: float | None
    resolve_wall: float | None
    resolve_work: float | None
    # Years the working-time figures count on a Monday–Friday guess (no official holiday data).
    provisional_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        """Whether a working-time figure rests on a provisional year."""
        return bool(self.provisional_years)


def response_times(item: FeedbackItem, *, team: Team, workdays: Workdays) -> ResponseTimes:
    """How long the desk took on ``item``; working time follows the team's calendar."""
    hours = desk_settings(team).work_hours
    guessed: set[int] = set()

    def _pair(end: datetime | None) -> tuple[float | None, float | None]:
        if end is None:
            return None, None
        wall = max(0.0, (end - item.created_at).total_seconds())
        tz = team.timezone
        guessed.update(provisional_years(item.created_at, end, tz=tz, workdays=workdays))
        return wall, working_seconds(item.created_at, end, tz=tz, workdays=workdays, hours=hours)

    ack_wall, ack_work = _pair(item.acknowledged_at)
    res_wall, res_work = _pair(item.resolved_at if item.status == FeedbackStatus.RESOLVED else None)
    return ResponseTimes(ack_wall, ack_work, res_wall, res_work, tuple(sorted(guessed)))


# -- report aggregates (the dashboard's report page) ---------------------------------------------


@dataclass
class LoadRow:
    """One person's share of the desk over a period."""

    member_id: int | None
    name: str
    assigned: int = 0
    resolved: int = 0
    open: int = 0


@dataclass
class Aggregates:
    """Items per day by kind, median response times, load per person."""

    date_from: date
    date_to: date
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)  # "2026-06-01" -> kind -> n
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    median_acknowledge_wall: float | None = None
    median_acknowledge_work: float | None = None
    median_resolve_wall: float | None = None
    median_resolve_work: float | None = None
    load: list[LoadRow] = field(default_factory=list)
    # Years the working-time medians count on a Monday–Friday guess (no official holiday data).
    provisional_years: list[int] = field(default_factory=list)

    @property
    def provisional(self) -> bool:
        """Whether a working-time median rests on a provisional year."""
        return bool(self.provisional_years)


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def aggregate(
    session: Session, *, team: Team, date_from: date, date_to: date, workdays: Workdays
) -> Aggregates:
    """Aggregate a team's items whose local day lies in [date_from, date_to] (at most a year)."""
    if date_to < date_from or (date_to - date_from).days > 366:
        raise DomainError("feedback.error.bad_range")
    items = list(
        session.scalars(
            select(FeedbackItem).where(
                FeedbackItem.team_id == team.id,
                FeedbackItem.local_date >= date_from,
                FeedbackItem.local_date <= date_to,
            )
        )
    )
    result = Aggregates(date_from=date_from, date_to=date_to, total=len(items))
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    ack_wall: list[float] = []
    ack_work: list[float] = []
    res_wall: list[float] = []
    res_work: list[float] = []
    owners: dict[int | None, LoadRow] = {}
    names = members_by_id(session, (i.owner_id for i in items))
    statuses: Counter[str] = Counter()
    guessed: set[int] = set()
    for item in items:
        per_day[item.local_date.isoformat()][item.kind] += 1
        statuses[item.status] += 1
        times = response_times(item, team=team, workdays=workdays)
        guessed.update(times.provisional_years)
        if times.acknowledge_wall is not None and times.acknowledge_work is not None:
            ack_wall.append(times.acknowledge_wall)
            ack_work.append(times.acknowledge_work)
        if times.resolve_wall is not None and times.resolve_work is not None:
            res_wall.append(times.resolve_wall)
            res_work.append(times.resolve_work)
        owner = names.get(item.owner_id) if item.owner_id is not None else None
        row = owners.setdefault(
            item.owner_id, LoadRow(item.owner_id, owner.display_name if owner else "")
        )
        row.assigned += 1
        if item.status == FeedbackStatus.RESOLVED:
            row.resolved += 1
        elif item.status in ACTIVE_STATUSES:
            row.open += 1
    # Every day of the range, with every kind, so a chart has no gaps.
    result.per_day = {}
    day = date_from
    while day <= date_to:
        counts = per_day.get(day.isoformat(), Counter())
        result.per_day[day.isoformat()] = {k.value: counts.get(k.value, 0) for k in FeedbackKind}
        day += timedelta(days=1)
    result.by_status = dict(statuses)
    result.median_acknowledge_wall = _median(ack_wall)
    result.median_acknowledge_work = _median(ack_work)
    result.median_resolve_wall = _median(res_wall)
    result.median_resolve_work = _median(res_work)
    result.load = sorted(owners.values(), key=lambda r: (-r.assigned, r.name))
    result.provisional_years = sorted(guessed)
    return result


# -- chart data (the dashboard's report page) ------------------------------------------------


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def chart_data(report: Aggregates) -> dict[str, Any]:
    """Everything the report page draws: per-day bars by kind, median hours, load per person."""
    days: list[str] = []
    day = report.date_from
    while day <= report.date_to:
        days.append(day.isoformat())
        day += timedelta(days=1)
    kinds = [k.value for k in FeedbackKind]
    per_day = [
        {
            "kind": kind,
            "label": t(f"feedback.kind.{kind}"),
            "counts": [report.per_day.get(d, {}).get(kind, 0) for d in days],
        }
        for kind in kinds
    ]
    return {
        "days": days,
        "per_day": per_day,
        "total": report.total,
        "by_status": {
            status: {"label": t(f"feedback.status.{status}"), "count": count}
            for status, count in sorted(report.by_status.items())
        },
        "medians": {
            "labels": [t("feedback_web.report.acknowledge"), t("feedback_web.report.resolve")],
            "wall": [_hours(report.median_acknowledge_wall), _hours(report.median_resolve_wall)],
            "work": [_hours(report.median_acknowledge_work), _hours(report.median_resolve_work)],
            "wall_label": t("feedback_web.report.wall"),
            "work_label": t("feedback_web.report.work"),
        },
        "provisional_years": report.provisional_years,
        "load": {
            "names": [row.name or t("feedback_web.nobody") for row in report.load],
            "open": [row.open for row in report.load],
            "resolved": [row.resolved for row in report.load],
            "other": [row.assigned - row.open - row.resolved for row in report.load],
            "labels": {
                "open": t("feedback_web.report.load_open"),
                "resolved": t("feedback_web.report.load_resolved"),
                "other": t("feedback_web.report.load_other"),
            },
        },
    }
