"""The day-before reminder: on a working day, each person of a pair whose 1on1 falls after
today and no later than the next working day is told once (outbox key naming the occurrence
and its local date, so a moved occurrence is reminded again for its new day)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.chat import notify
from teamassist.clock import local
from teamassist.one_on_ones import agenda, flows, messages, service
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting
from teamassist.ports import Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Team

_LOOK = 20  # days to find the next working day (longer than any run of days off)


def next_workday(day: date, workdays: Workdays) -> date:
    """The first working day after ``day``."""
    for offset in range(1, _LOOK):
        if workdays.is_workday(day + timedelta(days=offset)):
            return day + timedelta(days=offset)
    return day + timedelta(days=1)


def run(session: Session, *, team: Team, today: date, now: datetime, workdays: Workdays) -> int:
    """Send the reminders due on ``today`` (team-local); the number of notices queued."""
    if not workdays.is_workday(today):
        return 0
    pairs = list(session.scalars(select(OneOnOne).where(OneOnOne.team_id == team.id)))
    for pair in pairs:
        service.replan(session, team=team, pair=pair, now=now, workdays=workdays)
    until = next_workday(today, workdays)
    sent = 0
    rows = session.scalars(
        select(OneOnOneMeeting).where(
            OneOnOneMeeting.team_id == team.id,
            OneOnOneMeeting.status == service.SCHEDULED,
            OneOnOneMeeting.start_at > now,
            OneOnOneMeeting.start_at < now + timedelta(days=_LOOK),
        )
    ).all()
    by_id = {p.id: p for p in pairs}
    for meeting in rows:
        day = local(meeting.start_at, team.timezone).date()
        found = by_id.get(meeting.pair_id)
        if found is None or not today < day <= until or meeting.reminded_for == day:
            continue
        names = flows.names(session, [found])
        people = team_service.members_by_id(session, [found.manager_id, found.report_id])
        for person in people.values():
            if team_service.has_left(person):
                continue  # a 1on1 is private: never re-routed to a duty room for someone gone
            open_items = len(agenda.visible(session, pair=found, viewer=person, open_only=True))
            reply = messages.reminder(team, found, meeting, names, open_items)
            key = f"one_on_ones.reminder:{meeting.id}:{day.isoformat()}"
            if notify.to_member(session, member=person, reply=reply, key=key, now=now):
                sent += 1
        meeting.reminded_for = day
    session.flush()
    return sent
