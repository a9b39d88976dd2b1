"""Departures that take effect: someone set to leave on date D becomes inactive at D.

``/停用成员 @x 2026-12-20`` keeps x active until the start of 2026-12-20 (team-local); this
sweep turns them inactive once that moment has passed (:func:`teamassist.team.people.take_effect`),
so for at most one interval after midnight they may still act — the duty roster and 1on1s
planned them out from D already.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from teamassist.ports import Ports
from teamassist.scheduler.registry import JobContext, JobGroup
from teamassist.team import people
from teamassist.team.models import Member, Team, TeamMembership

jobs = JobGroup("team")

SWEEP_MINUTES = 5


def _due(teams: Sequence[int], now: datetime) -> Select[int, Member]:
    return (
        select(TeamMembership.team_id, Member)
        .join(Member, Member.id == TeamMembership.member_id)
        .where(
            TeamMembership.team_id.in_(teams),
            Member.active.is_(True),
            Member.merged_into_id.is_(None),
            Member.deactivated_at.is_not(None),
            Member.deactivated_at <= now,
        )
        .order_by(Member.id)
    )


def _candidates(session: Session, teams: Sequence[Team], now: datetime, ports: Ports) -> set[int]:
    rows = session.execute(_due([t.id for t in teams], now)).all()
    return {team_id for team_id, _member in rows}


@jobs.every("team.departures", minutes=SWEEP_MINUTES, candidates=_candidates)
def departures(job: JobContext) -> None:
    """Make the team's members whose departure date has come inactive (idempotent)."""
    for _team_id, member in job.session.execute(_due([job.team.id], job.now)).all():
        people.take_effect(job.session, member=member, now=job.now)
