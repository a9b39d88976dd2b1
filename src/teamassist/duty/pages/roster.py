"""The roster of a month as a calendar grid: holidays, 调休, overrides and swaps marked."""

from __future__ import annotations

import calendar as monthcal
from dataclasses import dataclass
from datetime import date, timedelta

from fastapi import Request
from fastapi.responses import HTMLResponse

from teamassist.duty import fairness, service
from teamassist.duty.calendar import holiday_name
from teamassist.duty.models import Rotation
from teamassist.duty.pages.base import names_of, screen_router
from teamassist.duty.rotation import SOURCE_OVERRIDE, SOURCE_SWAP, Shift
from teamassist.exceptions import DomainError
from teamassist.http.deps import NowDep, SessionDep
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page
from teamassist.i18n import lookup, t

router = screen_router()


@dataclass
class MonthCell:
    """One day of the month grid."""

    day: date
    in_month: bool
    is_today: bool
    holiday: str | None
    workday_swap: bool  # a 调休 weekend working day
    day_off: bool  # a statutory holiday day off
    rotations: list[tuple[Rotation, list[Shift]]]


def _holiday_label(name: str | None) -> str | None:
    """The Chinese name of a ``chinese_calendar`` holiday (its English name if unknown)."""
    if name is None:
        return None
    label = lookup(f"duty_web.holiday_names.{name}")
    return str(label) if label else name


# The months the grid shows: 9999-12 overflowed the date arithmetic (422 「超出了可以保存的
# 范围」) and 0000-01 was told to write YYYY-MM-DD (tester s26 A-10).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _month(value: str | None, today: date) -> date:
    if not value:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in value.split("-", 1))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(value)
        return date(year, month, 1)
    except ValueError as exc:
        raise DomainError(
            "duty_web.error.bad_month", value=value[:20], first=FIRST_YEAR, last=LAST_YEAR
        ) from exc


@router.get("/roster", response_class=HTMLResponse)
def roster_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
    month: str | None = None,
) -> HTMLResponse:
    """The roster of a month as a calendar grid: holidays, 调休, overrides and swaps marked."""
    today = service.today(chosen, now)
    first = _month(month, today)
    days_in_month = monthcal.monthrange(first.year, first.month)[1]
    grid_start = first - timedelta(days=first.weekday())
    last = first + timedelta(days=days_in_month - 1)
    grid_end = last + timedelta(days=6 - last.weekday())
    view = service.roster(
        session, team=chosen, first=grid_start, days=(grid_end - grid_start).days + 1, now=now
    )
    cells = []
    for row in view.days:
        name = _holiday_label(holiday_name(row.day))
        kind = fairness.day_kind(row.day)
        cells.append(
            MonthCell(
                day=row.day,
                in_month=row.day.month == first.month,
                is_today=row.day == today,
                holiday=name,
                workday_swap=bool(name) and kind == fairness.WORKDAY,
                day_off=kind == fairness.HOLIDAY,
                rotations=row.cells,
            )
        )
    weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    warnings = [t("duty.roster_warning", rotation=r.name, year=y) for r, y in view.warnings]
    return team_page(
        request,
        session,
        principal,
        chosen,
        "duty/roster.html",
        "roster",
        month=first,
        weeks=weeks,
        names=names_of(view.people),
        previous=previous.strftime("%Y-%m"),
        following=following.strftime("%Y-%m"),
        this_month=today.strftime("%Y-%m"),
        warnings=warnings,
        override=SOURCE_OVERRIDE,
        swap=SOURCE_SWAP,
        weekdays=lookup("duty_web.roster.weekdays"),
    )
