"""Deadline reminders: on the working days of a cycle's last :data:`REMIND_DAYS` days (the due
day included), each reviewer with an invited request gets one notice a day naming how many
reviews they owe. Declined and submitted requests get none; a nomination waiting for approval
gets none; a reviewer who has left has their requests withdrawn first. Idempotent: the key
names the cycle and the team-local day."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.chat import notify
from teamassist.chat.types import Reply, user_text
from teamassist.i18n import t
from teamassist.ports import Workdays
from teamassist.reviews import service
from teamassist.reviews.models import RequestStatus, ReviewCycle, ReviewRequest
from teamassist.team import service as team_service
from teamassist.team.models import Team

REMIND_DAYS = 3  # calendar days before the due day (and the due day itself) that remind


def run(session: Session, *, team: Team, today: date, now: datetime, workdays: Workdays) -> int:
    """Queue today's reminders for ``team``; returns how many reviewers were reminded."""
    if not workdays.is_workday(today):
        return 0
    reminded = 0
    for cycle in session.scalars(select(ReviewCycle).where(ReviewCycle.team_id == team.id)):
        if not service.is_open(cycle, team, now) or (cycle.due_on - today).days > REMIND_DAYS:
            continue
        # a reviewer who left without us hearing it is neither reminded nor counted
        service.withdraw_departed(session, team=team, cycle=cycle)
        owed = Counter(
            session.scalars(
                select(ReviewRequest.reviewer_id).where(
                    ReviewRequest.cycle_id == cycle.id,
                    ReviewRequest.status == RequestStatus.INVITED.value,
                )
            )
        )
        people = team_service.members_by_id(session, owed)
        for reviewer_id, count in sorted(owed.items()):
            member = people.get(reviewer_id)
            if member is None or not member.active:
                continue
            notify.to_member(
                session,
                member=member,
                reply=Reply(
                    title=t("reviews.remind.title"),
                    body=t(
                        "reviews.remind.body",
                        name=user_text(cycle.name),
                        count=count,
                        due=cycle.due_on.isoformat(),
                    ),
                ),
                key=f"reviews.remind:{cycle.id}:{today.isoformat()}",
                now=now,
            )
            reminded += 1
    return reminded
