"""What every OKR page shares: its router, the cycle it shows (with the picker's choices), the
cycle's Os rolled up exactly as REST lists them, and the layout around it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.http.auth import Principal
from teamassist.http.render import team_page
from teamassist.http.routes import Routes
from teamassist.i18n import t
from teamassist.okr import cycles, formulas, messages
from teamassist.okr import settings as okr_settings
from teamassist.okr.models import Cycle, Objective
from teamassist.team.models import Team


def screen_router() -> Routes:
    """A router for one screen; its URLs live under /okr and stay out of the OpenAPI schema."""
    return Routes(prefix="/okr", include_in_schema=False)


def cycle_choices(session: Session, team: Team, today: date) -> list[Cycle]:
    """The cycles the picker offers, newest first: every started cycle of the team's OKR kind
    and any cycle that holds Os (a future one planned ahead)."""
    started = cycles.recent(session, team=team, today=today)
    planned = session.scalars(
        select(Cycle).where(
            Cycle.team_id == team.id,
            Cycle.id.in_(select(Objective.cycle_id).where(Objective.team_id == team.id)),
        )
    )
    merged = {c.id: c for c in [*started, *planned]}
    return sorted(merged.values(), key=lambda c: (c.start_date, c.end_date), reverse=True)


def chosen_cycle(
    session: Session, team: Team, today: date, key: str | None, choices: list[Cycle]
) -> Cycle:
    """``?cycle=2026Q3`` when given; else the current cycle once it holds Os, else the newest
    started one that does (a fresh quarter shows last quarter's finished OKRs)."""
    if key:
        return cycles.by_key(session, team=team, key=key.strip()[:16])
    current = cycles.current(session, team=team, today=today)
    with_os = set(
        session.scalars(select(Objective.cycle_id).where(Objective.team_id == team.id).distinct())
    )
    if current.id in with_os:
        return current
    kind = okr_settings.of(team).cycle_kind.value
    for cycle in choices:
        if cycle.id in with_os and cycle.kind == kind and cycle.start_date <= today:
            return cycle
    return current


# Catalogue keys by stored value, spelled out so every key is visible to the catalogue check.
LABELS: dict[str, dict[str, str]] = {
    "status": {
        "on_track": "okr.status.on_track",
        "at_risk": "okr.status.at_risk",
        "off_track": "okr.status.off_track",
    },
    "cstate": {
        "planning": "okr.cstate.planning",
        "active": "okr.cstate.active",
        "grading": "okr.cstate.grading",
        "closed": "okr.cstate.closed",
    },
    "otype": {"committed": "okr.otype.committed", "aspirational": "okr.otype.aspirational"},
    "ostate": {"draft": "okr.ostate.draft", "published": "okr.ostate.published"},
    "tab": {
        "mine": "okr_web.tabs.mine",
        "team": "okr_web.tabs.team",
        "alignment": "okr_web.tabs.alignment",
        "objective": "okr_web.tabs.objective",
    },
}


def label(group: str, value: str) -> str:
    """The catalogue's words for a stored value (a status, a state, a type, a tab); a value
    the catalogue does not know shows as stored rather than failing the page."""
    key = LABELS[group].get(value)
    return t(key) if key else value


def okr_page(
    request: Request,
    session: Session,
    principal: Principal,
    team: Team,
    name: str,
    tab: str,
    **context: Any,
) -> HTMLResponse:
    """An OKR screen in the team-page layout, with the chat's number formats (``pct``, ``num``,
    ``kr_progress``) so a page shows a figure exactly as the reply does."""
    return team_page(
        request,
        session,
        principal,
        team,
        name,
        tab,
        pct=messages.pct,
        num=formulas.num,
        kr_progress=messages.kr_progress,
        label=label,
        **context,
    )


def local_day(moment: datetime | None, team: Team) -> date | None:
    """A stored moment as the team's local date."""
    return cycles.today_of(team, moment) if moment is not None else None
