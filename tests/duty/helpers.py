"""Shared helpers of the duty tests: look at the stored roster, move the clock to local times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from teamassist.clock import FrozenClock
from teamassist.duty.models import CalendarException, Override, RotationVersion, SignIn, Swap
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at_local(day: date, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time as UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI).astimezone(UTC)


def set_local(clock: FrozenClock, day: date, hour: int, minute: int = 0) -> None:
    """Move the test clock to a Shanghai wall-clock time."""
    clock.set(at_local(day, hour, minute))


def snapshot(runtime: Runtime) -> tuple[int, ...]:
    """Row counts of every duty table: equal before and after means nothing changed."""
    with runtime.factory() as session:
        return tuple(
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (RotationVersion, Override, Swap, CalendarException, SignIn)
        )


def demo_team(runtime: Runtime) -> tuple[Team, dict[str, Member]]:
    """The demo team and its members by handle (detached, for reading ids)."""
    with runtime.factory() as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = team_service.default_team(session, workspace_id=workspace.id)
        members = {
            m.handle: m for m in team_service.get_members(session, workspace_id=workspace.id)
        }
        return team, members


def next_days(start: date, n: int) -> list[date]:
    """``n`` consecutive dates from ``start``."""
    return [start + timedelta(days=i) for i in range(n)]
