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
ENDED_WITHIN = 14  # days after a due day in which its end is still told (a server down a while)


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


def ended(session: Session, *, team: Team, today: date, now: datetime) -> int:
    """Tell the team's director and admins, on the day after a cycle's due day (weekend or
    not: one notice that something happened, not a nag), that it is over and its summaries
    can be read and released (tester N7: nothing said so, and /360 showed the director only
    "没有待填写的评价"). A cycle closed by hand is not told: its closer did it. Idempotent per
    cycle and person (``reviews.ended:<cycle>``); returns how many notices were queued."""
    told = 0
    found = session.scalars(
        select(ReviewCycle).where(
            ReviewCycle.team_id == team.id,
            ReviewCycle.closed_at.is_(None),
            ReviewCycle.due_on < today,
            ReviewCycle.due_on >= date.fromordinal(today.toordinal() - ENDED_WITHIN),
        )
    ).all()
    if not found:
        return 0
    people = service.managers(session, team=team)
    for cycle in found:
        service.withdraw_departed(session, team=team, cycle=cycle)
        for member in people:
            notify.to_member(
                session,
                member=member,
                reply=Reply(
                    title=t("reviews.ended.title"),
                    body=t(
                        "reviews.ended.body",
                        name=user_text(cycle.name),
                        due=cycle.due_on.isoformat(),
                        count=len(service.subjects(session, cycle=cycle)),
                    ),
                ),
                key=f"reviews.ended:{cycle.id}",
                now=now,
            )
            told += 1
    return told
