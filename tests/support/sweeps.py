"""Givens and looks for the interval sweeps' tests: a quiet second team, the claims of a sweep,
a second runtime's scheduler on the same database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.scheduler.models import JobRun
from teamassist.scheduler.registry import JobGroup
from teamassist.scheduler.runner import Scheduler
from teamassist.team.models import Team


def quiet_team(runtime: Runtime, *, settings: dict[str, Any] | None = None) -> int:
    """A second team in the demo's workspace and zone, with nothing going on; its id."""
    with transaction(runtime.factory) as session:
        demo = session.scalars(select(Team).order_by(Team.id)).first()
        assert demo is not None
        team = Team(
            workspace_id=demo.workspace_id,
            key="quiet",
            name="安静的团队",
            timezone=demo.timezone,
            settings=settings or {},
        )
        session.add(team)
        session.flush()
        return team.id


def claims(runtime: Runtime, key: str) -> list[tuple[int, datetime]]:
    """(team id, slot) of every ``job_run`` row of sweep ``key``."""
    with transaction(runtime.factory) as session:
        rows = session.execute(
            select(JobRun.team_id, JobRun.slot_at).where(JobRun.job_key == key)
        ).all()
    return sorted((team_id, slot) for team_id, slot in rows)


def second_scheduler(runtime: Runtime, group: JobGroup) -> Scheduler:
    """Another runner of ``group``'s jobs on the same database (a second worker)."""
    return Scheduler(runtime.factory, [group], clock=runtime.clock, ports=runtime.scheduler.ports)
