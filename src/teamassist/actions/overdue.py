"""Overdue reminders and escalation.

Once per team-local working day (the ``Workdays`` port: statutory holidays skipped, 调休
Saturdays counted; the scheduler claims the occurrence once), each owner of open items past
their due time gets one DM listing them; each item is counted once per day
(:class:`~teamassist.actions.models.ActionReminder`). An item ``actions.escalate_after``
(default 2) or more working days overdue is escalated once: an ``escalated`` history row, and
one notice to the team's director (else its leader, else its admins) listing the items escalated
that day. Until it is done, extended or closed it is listed in the director's digest, which
other domains ask for through the :class:`teamassist.events.DirectorDigest` query (OKR's weekly
digest does) and, once meetings exist, in the next meeting's agenda through
:class:`teamassist.events.MeetingAgenda`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.actions import messages, service
from teamassist.actions import settings as action_settings
from teamassist.actions.due import working_days_late
from teamassist.actions.models import ActionItem, ActionReminder, ActionState
from teamassist.chat import notify
from teamassist.chat.types import Reply
from teamassist.clock import ensure_utc, local
from teamassist.i18n import t
from teamassist.ports import Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team


@dataclass
class RunResult:
    """What one run did (for tests and the job log)."""

    workday: bool
    reminded: dict[int, list[int]] = field(default_factory=dict)  # owner id → item ids
    escalated: list[int] = field(default_factory=list)  # item ids escalated today
    escalation_to: list[int] = field(default_factory=list)  # member ids told


def overdue_items(session: Session, *, team: Team, now: datetime) -> list[ActionItem]:
    """The team's open items past their due time, oldest due first."""
    return list(
        session.scalars(
            select(ActionItem)
            .where(
                ActionItem.team_id == team.id,
                ActionItem.state == ActionState.OPEN.value,
                ActionItem.due_at < ensure_utc(now),
            )
            .order_by(ActionItem.due_at, ActionItem.id)
        )
    )


def late_by(item: ActionItem, team: Team, workdays: Workdays, today: date) -> int:
    """Working days ``item`` is overdue on ``today`` (its due day itself does not count)."""
    return working_days_late(workdays, local(item.due_at, team.timezone).date(), today)


def escalated(
    session: Session, *, team: Team, now: datetime, workdays: Workdays
) -> list[tuple[ActionItem, int]]:
    """The overdue items at or past the team's escalation threshold, with their working days."""
    threshold = action_settings.of(team).escalate_after
    today = local(now, team.timezone).date()
    found = [
        (i, late_by(i, team, workdays, today)) for i in overdue_items(session, team=team, now=now)
    ]
    return [(i, days) for i, days in found if days >= threshold]


def digest_section(
    session: Session, *, team: Team, now: datetime, workdays: Workdays
) -> str | None:
    """The director's digest section (markdown), or None when nothing is escalated."""
    items = escalated(session, team=team, now=now, workdays=workdays)
    if not items:
        return None
    names = team_service.names_by_id(
        session, [i.owner_id for i, _ in items] + [i.requester_id for i, _ in items]
    )
    return messages.escalation(
        items, team, names, escalate_after=action_settings.of(team).escalate_after
    )


def run(
    session: Session, *, team: Team, today: date, now: datetime, workdays: Workdays
) -> RunResult:
    """Remind and escalate for ``today`` (a team-local date) if it is a working day."""
    if not workdays.is_workday(today):
        return RunResult(workday=False)
    result = RunResult(workday=True)
    items = overdue_items(session, team=team, now=now)
    if not items:
        return result
    reminded_today = set(
        session.scalars(
            select(ActionReminder.item_id).where(
                ActionReminder.item_id.in_([i.id for i in items]),
                ActionReminder.local_date == today,
            )
        )
    )
    names = team_service.names_by_id(
        session, [i.owner_id for i in items] + [i.requester_id for i in items]
    )
    by_owner: dict[int, list[ActionItem]] = defaultdict(list)
    for item in items:
        if item.id not in reminded_today:
            by_owner[item.owner_id].append(item)
    official = workdays.is_official(today.year)
    key = f"{team.id}:{today.isoformat()}"
    for owner_id, owned in by_owner.items():
        owner = session.get(Member, owner_id)
        for item in owned:
            session.add(ActionReminder(item_id=item.id, local_date=today, sent_at=ensure_utc(now)))
        if owner is None or team_service.has_left(owner):
            continue  # nobody to remind: the escalation below reaches the director
        reply = messages.overdue_reminder(owned, team, names, now)
        reply.body += messages.provisional(today, official)
        notify.to_member(session, member=owner, reply=reply, key=f"actions.overdue:{key}", now=now)
        result.reminded[owner_id] = [i.id for i in owned]
    threshold = action_settings.of(team).escalate_after
    fresh = [
        (item, days)
        for item in items
        if item.escalated_at is None and (days := late_by(item, team, workdays, today)) >= threshold
    ]
    if fresh:
        for item, _days in fresh:
            service.mark_escalated(session, item=item, now=now)
        result.escalated = [i.id for i, _ in fresh]
        body = messages.escalation(fresh, team, names, escalate_after=threshold)
        reply = Reply(title=t("actions.digest.escalated_title"), body=body)
        reply.body += messages.provisional(today, official)
        for reader in team_service.director_or_stand_in(session, team=team):
            notify.to_member(
                session, member=reader, reply=reply, key=f"actions.escalation:{key}", now=now
            )
            result.escalation_to.append(reader.id)
    session.flush()
    return result
