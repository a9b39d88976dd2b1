"""The desk's sweep: re-notify unacknowledged items, then escalate them to the admins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from teamassist.feedback import flows
from teamassist.feedback import queries as feedback_queries
from teamassist.feedback import settings as feedback_settings
from teamassist.ports import Ports, Workdays
from teamassist.scheduler.registry import JobContext, JobGroup
from teamassist.team.models import Team

jobs = JobGroup("feedback")

SWEEP_MINUTES = 5


def teams_to_follow_up(
    session: Session, teams: Sequence[Team], now: datetime, _ports: Ports
) -> set[int]:
    """The ids of ``teams`` with an item :func:`flows.follow_up` may act on at ``now`` (one
    grouped query): one waiting past the team's re-notify or escalation time, by the wall
    clock (the handler refines off-duty items by working time, which is never longer)."""
    waiting = feedback_queries.waiting_by_team(session, team_ids=[team.id for team in teams])
    chosen: set[int] = set()
    for team in teams:
        found = waiting.get(team.id)
        if found is None:
            continue
        settings = feedback_settings.desk_settings(team)
        renotify, escalate = settings.renotify_minutes, settings.escalate_minutes
        if (
            renotify > 0
            and found.oldest_not_renotified is not None
            and found.oldest_not_renotified <= now - timedelta(minutes=renotify)
        ) or (escalate > 0 and found.oldest <= now - timedelta(minutes=escalate)):
            chosen.add(team.id)
    return chosen


@jobs.every("feedback.follow_up", minutes=SWEEP_MINUTES, candidates=teams_to_follow_up)
def follow_up(job: JobContext) -> None:
    """Each team's open items past their re-notify or escalation time (see ``flows``)."""
    flows.follow_up(job.session, team=job.team, now=job.now, workdays=job.ports.get(Workdays))
