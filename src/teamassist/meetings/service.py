"""Meeting occurrences: plan them from the team's series, list, move and cancel them.

The chat commands, the REST endpoints and the dashboard call these same functions. Services
never commit: the caller owns the transaction.

Planning materialises the rule's occurrences (:mod:`teamassist.meetings.rules`) from today to
:data:`HORIZON` days ahead whenever fewer than :data:`REFILL` days are planned; a row that exists
is left as it is (so a move or a cancellation persists), and one is only added while its meeting
has not started. Rows are added with a conflict-skipping INSERT, so a sweep and a chat command
planning at once make one row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from teamassist import preload
from teamassist.chat import notify
from teamassist.clock import beyond_horizon, ensure_utc, local, plan_horizon
from teamassist.events import MeetingOccurrenceChanged, publish
from teamassist.exceptions import Conflict, Invalid, NotFound
from teamassist.meetings import rules
from teamassist.meetings import settings as meeting_settings
from teamassist.meetings.models import MeetingOccurrence, Status, Step
from teamassist.meetings.rules import Planned
from teamassist.ports import Workdays
from teamassist.scheduler.plan import insert_ignoring_conflicts
from teamassist.team import service as team_service
from teamassist.team.models import Team

HORIZON = 63  # days planned ahead
REFILL = 35  # plan again when fewer days than this are planned
MAX_NOTE = 500
# Days before today planning looks at: an occurrence anchored that recently may still have its
# meeting to come (a period meeting's notice leads its anchor by up to 28 days).
LOOKBACK = 35


def step_times(occ: MeetingOccurrence) -> dict[Step, datetime]:
    """Each step's instant (UTC); the evaluation step is the meeting's end, when it has one."""
    found = {Step.NOTICE: occ.notice_at, Step.DUE: occ.due_at, Step.START: occ.start_at}
    if occ.evaluation:
        found[Step.EVALUATION] = occ.end_at
    return {step: ensure_utc(at) for step, at in found.items()}


def sent_at(occ: MeetingOccurrence, step: Step) -> datetime | None:
    """When ``step`` was sent (or passed over), None while it is still to come."""
    value: datetime | None = getattr(occ, f"{step.value}_sent_at")
    return value


def next_step_at(occ: MeetingOccurrence) -> datetime | None:
    """The earliest step not yet sent; None for a cancelled occurrence or one that is over."""
    if occ.status != Status.SCHEDULED.value:
        return None
    pending = [at for step, at in step_times(occ).items() if sent_at(occ, step) is None]
    return min(pending) if pending else None


def _row(team: Team, planned: Planned, now: datetime) -> dict[str, object]:
    series = meeting_settings.of(team)[planned.kind]
    row: dict[str, object] = {
        "workspace_id": team.workspace_id,
        "team_id": team.id,
        "key": planned.key,
        "kind": planned.kind.value,
        "title": planned.title,
        "report_title": planned.report_title,
        "next_label": planned.next_label,
        "period_start": planned.period_start,
        "period_end": planned.period_end,
        "notice_at": planned.notice_at,
        "due_at": planned.due_at,
        "start_at": planned.start_at,
        "end_at": planned.end_at,
        "evaluation": planned.evaluation,
        "place": series.place,
        "video_url": series.video_url,
        "status": Status.SCHEDULED.value,
        "moved": False,
        "provisional": planned.provisional,
        "sequence": 0,
        "note": None,
        # A step already past when its occurrence is first planned is passed over, not sent
        # late (a team set up on Monday gets no notice for last Friday).
        "notice_sent_at": now if planned.notice_at < now else None,
        "due_sent_at": now if planned.due_at < now else None,
        "start_sent_at": None,
        "evaluation_sent_at": None,
        "created_at": now,
        "updated_at": now,
    }
    pending = [
        at
        for at, sent in ((planned.notice_at, "notice"), (planned.due_at, "due"))
        if row[f"{sent}_sent_at"] is None
    ]
    pending.append(planned.start_at)
    row["next_at"] = min(pending)
    return row


@dataclass
class PlanResult:
    """What planning did: rows added, and the provisional years the admins were told about."""

    added: int = 0
    provisional_years: tuple[int, ...] = ()


PRELOAD_PLANNING = "meetings.planning"


@dataclass
class PlanBatch:
    """What :func:`prepare_planning` loads for a batch of the step sweep: each team's latest
    planned start (None: nothing planned), and the rule's occurrences worked out so far by
    (series settings, zone, local date)."""

    latest: dict[int, datetime | None]
    plans: dict[tuple[str, str, date], list[rules.Planned]] = field(default_factory=dict)


def prepare_planning(session: Session, teams: Sequence[Team]) -> None:
    """Load each of ``teams``' latest planned start in one grouped query, for
    :func:`ensure_planned` to read in this transaction (see :mod:`teamassist.preload`)."""
    ids = [team.id for team in teams]
    latest: dict[int, datetime | None] = dict.fromkeys(ids)
    for start in range(0, len(ids), 500):  # bounded IN lists
        latest.update(
            session.execute(
                select(MeetingOccurrence.team_id, func.max(MeetingOccurrence.start_at))
                .where(MeetingOccurrence.team_id.in_(ids[start : start + 500]))
                .group_by(MeetingOccurrence.team_id)
            ).all()
        )
    preload.put(session, PRELOAD_PLANNING, PlanBatch(latest))


def ensure_planned(
    session: Session, *, team: Team, now: datetime, workdays: Workdays, force: bool = False
) -> PlanResult:
    """Plan the team's occurrences up to :data:`HORIZON` days ahead if fewer than
    :data:`REFILL` days are planned (or ``force``). Tells the admins once per year (the outbox
    key) when a planned occurrence falls in a year without official holiday data."""
    now = ensure_utc(now)
    batch: PlanBatch | None = preload.get(session, PRELOAD_PLANNING)
    if batch is not None and team.id in batch.latest:
        latest = batch.latest[team.id]
    else:
        latest = session.scalar(
            select(func.max(MeetingOccurrence.start_at)).where(MeetingOccurrence.team_id == team.id)
        )
    if not force and latest is not None and ensure_utc(latest) >= now + timedelta(days=REFILL):
        return PlanResult()
    today = local(now, team.timezone).date()
    # Teams of one batch mostly share their series and zone: the rule is worked out once.
    memo_key = (repr((team.settings or {}).get("meetings")), team.timezone, today)
    planned = batch.plans.get(memo_key) if batch is not None else None
    if planned is None:
        planned = rules.plan(
            meeting_settings.of(team),
            team.timezone,
            workdays,
            today - timedelta(days=LOOKBACK),
            today + timedelta(days=HORIZON),
        )
        if batch is not None:
            batch.plans[memo_key] = planned
    fresh = [p for p in planned if p.start_at > now]
    if not fresh:
        return PlanResult()
    existing: set[str] = set()
    if latest is not None:  # a team with no occurrence at all has none of these keys
        existing = set(
            session.scalars(
                select(MeetingOccurrence.key).where(
                    MeetingOccurrence.team_id == team.id,
                    MeetingOccurrence.key.in_([p.key for p in fresh]),
                )
            )
        )
    rows = [_row(team, p, now) for p in fresh if p.key not in existing]
    if rows:
        dialect = session.get_bind().dialect.name
        table = cast(Table, MeetingOccurrence.__table__)
        session.execute(insert_ignoring_conflicts(dialect, table), rows)
    years = tuple(sorted({p.start_at.year for p in fresh if p.provisional}))
    for year in years:
        _tell_provisional(session, team=team, year=year, now=now)
    return PlanResult(added=len(rows), provisional_years=years)


def _tell_provisional(session: Session, *, team: Team, year: int, now: datetime) -> None:
    from teamassist.meetings import messages  # messages imports service's step helpers

    reply = messages.provisional_notice(team, year)
    for admin in team_service.admins(session, team=team):
        notify.to_member(
            session,
            member=admin,
            reply=reply,
            key=f"meetings.provisional:{team.id}:{year}",
            now=now,
        )


def upcoming(
    session: Session, *, team: Team, now: datetime, limit: int = 20
) -> list[MeetingOccurrence]:
    """The team's occurrences not over yet (cancelled ones included), by start."""
    return list(
        session.scalars(
            select(MeetingOccurrence)
            .where(MeetingOccurrence.team_id == team.id, MeetingOccurrence.end_at > ensure_utc(now))
            .order_by(MeetingOccurrence.start_at, MeetingOccurrence.id)
            .limit(limit)
        )
    )


def get(
    session: Session, *, team: Team, occurrence_id: int, lock: bool = False
) -> MeetingOccurrence:
    """The team's occurrence ``occurrence_id``; raises ``NotFound``. ``lock``: its row held
    until the transaction ends and re-read once locked (a copy the session loaded before would
    keep a concurrent move's old time)."""
    query = select(MeetingOccurrence).where(
        MeetingOccurrence.id == occurrence_id, MeetingOccurrence.team_id == team.id
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = session.scalar(query)
    if found is None:
        raise NotFound("meetings.error.not_found", id=occurrence_id)
    return found


def _changeable(occ: MeetingOccurrence, now: datetime) -> None:
    if occ.status == Status.CANCELLED.value:
        raise Conflict("meetings.error.cancelled", id=occ.id, title=occ.title)
    if occ.start_sent_at is not None or ensure_utc(occ.start_at) <= ensure_utc(now):
        raise Conflict("meetings.error.started", id=occ.id, title=occ.title)


def _note(note: str | None) -> str | None:
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise Invalid("meetings.error.note_too_long", limit=MAX_NOTE)
    return text or None


def move(
    session: Session,
    *,
    occ: MeetingOccurrence,
    start_at: datetime,
    now: datetime,
    team: Team,
    workdays: Workdays,
    note: str | None = None,
) -> timedelta:
    """Move the meeting to ``start_at`` (UTC, in the future); its end moves with it, and so do
    its notice and report deadline while not yet sent: the rule's times for the occurrence
    (:func:`rules.planned_steps`) moved by as many team-local days as the start moved from the
    rule's, at their own time of day, off a day off by the series' ``holiday`` policy, and never
    after the new start (a meeting moved earlier is still announced; a step the policy would
    push to the start goes to the working day before: :func:`_moved_step`). Worked out from the
    rule, not from the times before, so a meeting moved and then moved back has its own deadline
    again (tester s26 B-7: a typo'd move to a Monday 10:00 kept that as the report deadline for
    good), and a move of any size takes the steps along as /帮助 says (B-8: only moves of a week
    or more did; tester s25 F-B21 was a weekly meeting moved four months with its December
    notice).
    Bumps ``sequence``. Returns the shift.

    Raises ``Conflict`` for a cancelled or started occurrence, ``Invalid`` for a time in the
    past, on a team-local day after :func:`~teamassist.clock.plan_horizon` (the team's zone), or
    the same time.
    """
    now = ensure_utc(now)
    start_at = ensure_utc(start_at)
    zone = team.timezone
    _changeable(occ, now)
    if start_at <= now:
        raise Invalid("meetings.error.past")
    if beyond_horizon(start_at, now, zone):
        raise Invalid("meetings.error.too_far", latest=plan_horizon(now, zone).isoformat())
    shift = start_at - ensure_utc(occ.start_at)
    if not shift:
        raise Invalid("meetings.error.same_time")
    reason = _note(note)
    settings = meeting_settings.of(team)
    notice, due, planned = rules.planned_steps(occ.key, settings, zone, workdays)
    days = (local(start_at, zone).date() - local(planned, zone).date()).days
    policy = settings[meeting_settings.Kind(occ.kind)].holiday
    if occ.notice_sent_at is None:
        occ.notice_at = _moved_step(notice, days, zone, policy, workdays, start_at, now)
    if occ.due_sent_at is None:
        occ.due_at = _moved_step(
            due, days, zone, policy, workdays, start_at, now, after=ensure_utc(occ.notice_at)
        )
    occ.start_at = start_at
    occ.end_at = ensure_utc(occ.end_at) + shift
    occ.moved = True
    occ.sequence += 1
    occ.note = reason
    occ.next_at = next_step_at(occ)
    occ.updated_at = now
    session.flush()
    publish(session, MeetingOccurrenceChanged(occurrence_id=occ.id, now=now))
    return shift


def _moved_step(
    value: datetime,
    days: int,
    zone: str,
    policy: meeting_settings.HolidayPolicy,
    workdays: Workdays,
    start_at: datetime,
    now: datetime,
    *,
    after: datetime | None = None,
) -> datetime:
    """A step of a moved meeting (:func:`_days_later`), before its new start. When the series'
    policy takes it off a day off to the start or past it (a meeting moved to a Monday: its
    Sunday deadline went on to Monday, then was cut to the start minute, so the report was due
    as the meeting began; tester s29 F-3), it goes to the working day before instead, at its
    own time, if that is still to come (and, for the deadline, not before the notice);
    otherwise it is the start, as before."""
    moved = _days_later(value, days, zone, policy, workdays)
    if moved < start_at:
        return moved
    earlier = _days_later(value, days, zone, meeting_settings.HolidayPolicy.EARLIER, workdays)
    if now < earlier < start_at and (after is None or earlier >= after):
        return earlier
    return start_at


def _days_later(
    value: datetime,
    days: int,
    zone: str,
    policy: meeting_settings.HolidayPolicy,
    workdays: Workdays,
) -> datetime:
    """``value`` moved by ``days`` team-local days at the same wall-clock time (a move across a
    change of summer time keeps 08:30 at 08:30), then off a day off by ``policy``."""
    moved = local(value, zone) + timedelta(days=days)
    day = rules.moved(moved.date(), policy, workdays)
    return ensure_utc(datetime.combine(day, moved.time(), tzinfo=moved.tzinfo))


def cancel(
    session: Session, *, occ: MeetingOccurrence, now: datetime, note: str | None = None
) -> None:
    """Cancel the occurrence: nothing more is sent for it, its invitation becomes a CANCEL.
    Raises ``Conflict`` when it is already cancelled or has started."""
    now = ensure_utc(now)
    _changeable(occ, now)
    occ.status = Status.CANCELLED.value
    occ.sequence += 1
    occ.note = _note(note)
    occ.next_at = None
    occ.updated_at = now
    session.flush()
    publish(session, MeetingOccurrenceChanged(occurrence_id=occ.id, now=now))
