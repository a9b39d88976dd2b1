"""Check-in reminders and the director's digest.

On the team's reminder days (configured weekdays, on working days only: a configured weekday
that is a day off moves back to the last working day before it in the same week, and a week
with none is skipped), each owner of a published KR in an active cycle whose last check-in (or,
never checked in, its publication) is ``checkin_days`` or more days old gets one DM listing those
KRs. A KR that had already been reminded ``escalate_after`` times since its last check-in goes
to the director's digest too, with the KRs and Os of members who have left: one message to the
director (else the leader, else the team's admins). Other desks add their sections through the
``DirectorDigest`` query (the action-item desk: its overdue items past escalation), and a
digest goes out on a reminder day when any of them has something to say.

Idempotent per (team, date): the scheduler claims the occurrence once, the outbox keys are
``okr.checkin_reminder:<team>:<date>`` / ``okr.digest:<team>:<date>``, and a reminder is counted
once per KR and date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist import events
from teamassist.chat import notify
from teamassist.clock import local
from teamassist.events import DirectorDigest
from teamassist.okr import notices, rollup
from teamassist.okr import settings as okr_settings
from teamassist.okr.formulas import Status
from teamassist.okr.models import Cycle, Objective, ObjectiveState
from teamassist.okr.objectives import key_results
from teamassist.okr.rhythm_models import Reminder
from teamassist.okr.settings import OkrSettings
from teamassist.okr.stale import Stale, departed
from teamassist.ports import Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team


class TeamWorkdays:
    """The ``Workdays`` port with the team's own exceptions (``okr.days_off``,
    ``okr.extra_workdays``) on top; an exception wins over the calendar."""

    def __init__(self, base: Workdays, settings: OkrSettings) -> None:
        self.base = base
        self.days_off = settings.days_off
        self.extra = settings.extra_workdays

    def is_workday(self, day: date) -> bool:
        """True on a working day of the team."""
        if day in self.days_off:
            return False
        if day in self.extra:
            return True
        return self.base.is_workday(day)

    def is_official(self, year: int) -> bool:
        """Whether ``year``'s official holiday arrangement is known."""
        return self.base.is_official(year)


def reminder_days(workdays: Workdays, day: date, weekdays: Sequence[int]) -> set[date]:
    """The reminder days of ``day``'s week: each configured ISO weekday, or when it is a day
    off the last working day before it in the same week (none when the week has none)."""
    monday = day - timedelta(days=day.isoweekday() - 1)
    found: set[date] = set()
    for weekday in weekdays:
        candidate = monday + timedelta(days=weekday - 1)
        while candidate >= monday and not workdays.is_workday(candidate):
            candidate -= timedelta(days=1)
        if candidate >= monday:
            found.add(candidate)
    return found


@dataclass
class RunResult:
    """What one reminder run did (for tests and the job log)."""

    reminder_day: bool
    reminded: dict[int, list[Stale]] = field(default_factory=dict)  # member id → their KRs
    escalated: list[Stale] = field(default_factory=list)
    departed_objectives: list[Objective] = field(default_factory=list)
    digest_to: list[Member] = field(default_factory=list)
    # Sections other desks add to the digest (``DirectorDigest``: escalated overdue 销项).
    sections: list[str] = field(default_factory=list)


def active_cycles(session: Session, *, team: Team, today: date) -> list[Cycle]:
    """The team's cycles running on ``today`` (every kind: Os may be set on any)."""
    return list(
        session.scalars(
            select(Cycle).where(
                Cycle.team_id == team.id,
                Cycle.start_date <= today,
                Cycle.end_date >= today,
                Cycle.closed_at.is_(None),
            )
        )
    )


def _members(session: Session, ids: set[int]) -> dict[int, Member]:
    if not ids:
        return {}
    return {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(ids)))}


def stale_key_results(
    session: Session, *, team: Team, today: date, settings: OkrSettings, workdays: Workdays
) -> tuple[list[Stale], list[Objective], dict[int, Member]]:
    """The stale KRs of the team's active cycles, the published Os whose owner has left, and
    the members involved (by id)."""
    found: list[Stale] = []
    objectives_left: list[Objective] = []
    cycles = active_cycles(session, team=team, today=today)
    published = list(
        session.scalars(
            select(Objective)
            .where(
                Objective.cycle_id.in_([c.id for c in cycles]),
                Objective.state == ObjectiveState.PUBLISHED.value,
            )
            .order_by(Objective.cycle_id, Objective.number)
        )
    )
    krs = key_results(session, [o.id for o in published])
    owner_ids = {o.owner_id for o in published if o.owner_id is not None}
    owner_ids |= {k.owner_id for ks in krs.values() for k in ks if k.owner_id is not None}
    members = _members(session, owner_ids)
    # Each KR's status against its cycle's expectation: one roll-up per cycle, not per O.
    statuses: dict[int, Status] = {}
    for cycle in cycles:
        mine = [o for o in published if o.cycle_id == cycle.id]
        if mine:
            expected = rollup.expectation(workdays, cycle, today)
            for view in rollup.roll_up(session, team=team, objectives=mine, expected=expected):
                statuses.update((kv.key_result.id, kv.status) for kv in view.krs)
    for objective in published:
        if departed(members.get(objective.owner_id or 0)):
            objectives_left.append(objective)
        for key_result in krs[objective.id]:
            at = key_result.last_checkin_at or objective.published_at
            last = local(at, team.timezone).date() if at is not None else today
            if (today - last).days < settings.checkin_days:
                continue
            owner_id = key_result.owner_id or objective.owner_id
            found.append(
                Stale(
                    key_result=key_result,
                    objective=objective,
                    owner=members.get(owner_id) if owner_id is not None else None,
                    last=last,
                    checked_in=key_result.last_checkin_at is not None,
                    reminded=0,
                    status=statuses.get(key_result.id),
                )
            )
    _count_reminders(session, found, today)
    return found, objectives_left, members


def _count_reminders(session: Session, found: list[Stale], today: date) -> None:
    """Each stale KR's reminders after its last check-in and before ``today`` (one query)."""
    if not found:
        return
    earliest = min(s.last for s in found)
    rows = session.execute(
        select(Reminder.key_result_id, Reminder.local_date).where(
            Reminder.key_result_id.in_([s.key_result.id for s in found]),
            Reminder.local_date >= earliest,
            Reminder.local_date < today,
        )
    ).all()
    for stale in found:
        stale.reminded = sum(
            1 for kr_id, day in rows if kr_id == stale.key_result.id and day > stale.last
        )


def run(
    session: Session, *, team: Team, today: date, now: datetime, workdays: Workdays
) -> RunResult:
    """Send the team's check-in reminders and digest for ``today`` if it is a reminder day."""
    settings = okr_settings.of(team)
    calendar = TeamWorkdays(workdays, settings)
    if today not in reminder_days(calendar, today, settings.reminder_weekdays):
        return RunResult(reminder_day=False)
    result = RunResult(reminder_day=True)
    stale, result.departed_objectives, members = stale_key_results(
        session, team=team, today=today, settings=settings, workdays=calendar
    )
    provisional = not calendar.is_official(today.year)
    for item in stale:
        if item.owner is None or departed(item.owner):
            result.escalated.append(item)  # nobody to remind: straight to the director
            continue
        result.reminded.setdefault(item.owner.id, []).append(item)
        if item.reminded >= settings.escalate_after:
            result.escalated.append(item)
    key = f"{team.id}:{today.isoformat()}"
    for member_id, items in result.reminded.items():
        owner = members[member_id]
        notify.to_member(
            session,
            member=owner,
            reply=notices.reminder(owner, items, today, provisional=provisional),
            key=f"okr.checkin_reminder:{key}",
            now=now,
        )
        _record(session, team=team, items=items, member=owner, today=today, now=now)
    result.sections = [
        str(section)
        for section in events.ask(session, DirectorDigest(team=team, today=today, now=now))
        if section
    ]
    if result.escalated or result.departed_objectives or result.sections:
        result.digest_to = team_service.director_or_stand_in(session, team=team)
        reply = notices.digest(
            result.escalated,
            result.departed_objectives,
            members,
            {c.id: c.key for c in active_cycles(session, team=team, today=today)},
            today,
            escalate_after=settings.escalate_after,
            provisional=provisional,
            sections=result.sections,
        )
        for reader in result.digest_to:
            notify.to_member(session, member=reader, reply=reply, key=f"okr.digest:{key}", now=now)
    session.flush()
    return result


def _record(
    session: Session,
    *,
    team: Team,
    items: Sequence[Stale],
    member: Member,
    today: date,
    now: datetime,
) -> None:
    """Count today's reminder of each KR once (a second run the same day adds nothing)."""
    ids = [s.key_result.id for s in items]
    done = set(
        session.scalars(
            select(Reminder.key_result_id).where(
                Reminder.key_result_id.in_(ids), Reminder.local_date == today
            )
        )
    )
    for kr_id in ids:
        if kr_id not in done:
            session.add(
                Reminder(
                    team_id=team.id,
                    key_result_id=kr_id,
                    member_id=member.id,
                    local_date=today,
                    sent_at=now,
                )
            )
