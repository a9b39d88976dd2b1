"""Shape the desk's report aggregates (``service.report_aggregates``) for the dashboard's charts.

Pure functions: the numbers come from the service; this only fills the calendar (days without
items count zero), converts seconds to hours and names the series, so the page embeds one JSON
document that Chart.js draws as it is.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from teamassist.feedback.models import FeedbackKind
from teamassist.feedback.service import Report
from teamassist.i18n import t

MAX_DAYS = 366  # the report page refuses longer ranges (one bar per day)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def chart_data(report: Report) -> dict[str, Any]:
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
