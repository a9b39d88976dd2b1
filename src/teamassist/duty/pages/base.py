"""What every duty page shares: its router, the team it shows, the layout around it."""

from __future__ import annotations

from datetime import date

from teamassist.duty import dates
from teamassist.exceptions import DomainError
from teamassist.http.routes import Routes
from teamassist.team.models import Member


def screen_router() -> Routes:
    """A router for one screen; its URLs live under /duty and stay out of the OpenAPI schema."""
    return Routes(prefix="/duty", include_in_schema=False)


def names_of(people: dict[int, Member]) -> dict[int, str]:
    return {i: m.display_name for i, m in people.items()}


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise DomainError("duty_web.error.bad_date", value=value[:20]) from exc
    return dates.check(day)  # within the duty desk's window, like chat and REST
