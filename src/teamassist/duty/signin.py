"""Sign-in and sign-out (值班签到 / 值班签出) with the duty report, per duty day and rotation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NoReturn

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from teamassist import events, preload
from teamassist.clock import ensure_utc
from teamassist.database import inserted, skipping_insert_id
from teamassist.duty.models import Rotation, SignIn
from teamassist.duty.service import DutyDay, duty_days_at, members_by_id, on_duty, rotations
from teamassist.exceptions import Conflict, DomainError
from teamassist.team.models import Member, Team, TeamMembership

# When the sign-in reminders go out by default (``duty.sign_in_reminder``; a team may set its
# own). The first one is also the line after which a sign-in counts as late (``fairness``).
SIGN_IN_REMINDER_TIMES = ("10:00", "10:30", "11:00")

# -- sign-in and sign-out --------------------------------------------------------------------
#
# Sign-in state belongs to the person and the duty day, not to whoever holds the rotation at
# the moment of the command. So a mid-day change (a swap, a replan, a cover) does this:
# - whoever signed in keeps their row: they can still sign out that day, with the duty report;
# - whoever is on the rest of today's final schedule can sign in (a newcomer, or someone whose
#   cover starts later today); someone swapped out before signing in no longer can.
# The admin's change reply says so (see :func:`mid_day_effect`).


def _days_now(session: Session, team: Team, now: datetime) -> list[DutyDay]:
    return [d for d in duty_days_at(session, team=team, at=now) if d.day is not None]


def sign_in(session: Session, *, team: Team, member: Member, now: datetime) -> list[SignIn]:
    """Record that ``member``, on the rest of today's schedule, has started; one row per
    rotation they hold today."""
    now = ensure_utc(now)
    duties = [d for d in _days_now(session, team, now) if member.id in d.holders_from(now)]
    if not duties:
        _refuse_off_duty(session, team, member, now, "duty.error.not_on_duty_sign_in")
    created: list[SignIn] = []
    for duty in duties:
        if duty.day is None:
            continue
        insert = (
            skipping_insert_id(session, SignIn, "rotation_id", "member_id", "duty_date")
            if preload.get(session, PRELOAD_SIGN_INS) is None
            else None
        )
        if insert is not None:
            # One statement records it or finds it done (a SELECT, then the INSERT in a
            # savepoint, were four); a double tap racing itself meets the unique key here.
            # Through Core, returning the id: the ORM's INSERT … RETURNING the entity was
            # the most of a /值班签到's own CPU, and a double tap (the key taken) paid it too.
            values = {
                "rotation_id": duty.rotation.id,
                "member_id": member.id,
                "duty_date": duty.day,
                "signed_in_at": now,
            }
            session.flush()  # as the ORM's INSERT did first (autoflush): rows it may refer to
            row_id = session.execute(insert, values).scalar()
            if row_id is not None:
                created.append(inserted(session, SignIn, values, row_id))
            continue
        if sign_row(session, duty.rotation, member, duty.day):
            continue
        row = SignIn(
            rotation_id=duty.rotation.id,
            member_id=member.id,
            duty_date=duty.day,
            signed_in_at=now,
        )
        # A double tap racing itself: the unique key says "already signed in", not an error.
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            continue
        created.append(row)
    if not created:
        raise Conflict("duty.error.already_signed_in", name=member.display_name)
    events.publish(session, events.DutySignedIn(team=team, member=member, now=now))
    return created


def _refuse_off_duty(
    session: Session, team: Team, member: Member, now: datetime, key: str
) -> NoReturn:
    """DomainError ``key`` for someone not on ``team``'s duty today; when they are on duty
    today in another of their teams, ``duty.error.on_duty_elsewhere`` naming it and
    /切换团队 instead: told to sign in after taking over 运维组's duty, a person whose chats
    act for 开发者社区 heard 「今天不是你值班」, which was false (tester F4, session 21). Only
    the refusal pays for the other teams' schedules."""
    others = session.scalars(
        select(Team)
        .join(TeamMembership, TeamMembership.team_id == Team.id)
        .where(TeamMembership.member_id == member.id, Team.id != team.id)
        .order_by(Team.id)
    ).all()
    elsewhere = [
        other.name
        for other in others
        if any(member.id in d.holders_from(now) for d in _days_now(session, other, now))
    ]
    if elsewhere:
        raise DomainError(
            "duty.error.on_duty_elsewhere",
            name=member.display_name,
            team=team.name,
            teams="」「".join(elsewhere),
            first=elsewhere[0],
        )
    raise DomainError(key, name=member.display_name)


@dataclass
class SignOutResult:
    """What a sign-out did."""

    rows: list[SignIn]
    report_added: bool  # an earlier sign-out without a report got its report now
    needs_report: bool  # signed out without a report


def sign_out(
    session: Session, *, team: Team, member: Member, now: datetime, report: str | None = None
) -> SignOutResult:
    """Record the end of ``member``'s duty day, with the duty report (值班日报) when given.

    Signed out already: a report given fills the rows still missing one; without one, Conflict
    ``duty.error.report_missing`` while a row still misses it, else
    ``duty.error.already_signed_out``."""
    now = ensure_utc(now)
    report = (report or "").strip() or None
    days = _days_now(session, team, now)
    # Whoever signed in today signs out, whether or not they still hold the rotation now.
    signed = [
        row for d in days if (row := sign_row(session, d.rotation, member, d.day)) is not None
    ]
    if not signed:
        if any(member.id in d.holders_from(now) for d in days):
            raise DomainError("duty.error.not_signed_in", name=member.display_name)
        _refuse_off_duty(session, team, member, now, "duty.error.not_on_duty_sign_out")
    signed = _locked(session, signed)
    open_rows = [r for r in signed if r.signed_out_at is None]
    if open_rows:
        for row in open_rows:
            row.signed_out_at = now
            row.report = report
        session.flush()
        return SignOutResult(open_rows, report_added=False, needs_report=report is None)
    missing = [r for r in signed if not r.report]
    if report is not None and missing:
        for row in missing:
            row.report = report
        session.flush()
        return SignOutResult(missing, report_added=True, needs_report=False)
    if missing:  # signed out already, still without a report: say so, not 「也已收到」 (s27 A-10)
        raise Conflict("duty.error.report_missing", name=member.display_name)
    raise Conflict("duty.error.already_signed_out", name=member.display_name)


def _locked(session: Session, rows: Sequence[SignIn]) -> list[SignIn]:
    """``rows`` locked until the transaction ends and re-read, lowest id first: a sign-out
    checks them and then writes (tester s25 F-14: 20 `/值班签出` at once on PostgreSQL answered
    「签出成功」 5 times, each having found the row still open). The next sender waits for the
    first to commit, then reads it signed out. ``populate_existing``: the rows are loaded
    already, and a locked read does not refresh them otherwise. In their own order."""
    fresh = {
        row.id: row
        for row in session.scalars(
            select(SignIn)
            .where(SignIn.id.in_([r.id for r in rows]))
            .order_by(SignIn.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    return [fresh[r.id] for r in rows if r.id in fresh]


PRELOAD_SIGN_INS = "duty.sign_ins"


@dataclass
class LoadedSignIns:
    """A scheduled batch's sign-in rows for duty dates in [first, last] (teamassist.preload)."""

    first: date
    last: date
    rows: dict[tuple[int, int, date], SignIn]  # (rotation, member, duty date)
    by_day: dict[tuple[int, date], list[SignIn]]  # (rotation, duty date)

    @classmethod
    def of(cls, first: date, last: date, rows: Iterable[SignIn]) -> LoadedSignIns:
        loaded = cls(first, last, {}, {})
        for row in rows:
            loaded.rows[(row.rotation_id, row.member_id, row.duty_date)] = row
            loaded.by_day.setdefault((row.rotation_id, row.duty_date), []).append(row)
        return loaded

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


def sign_row(
    session: Session, rotation: Rotation, member: Member, duty_date: date | None
) -> SignIn | None:
    """The member's sign-in row for one duty day of one rotation, if any."""
    loaded: LoadedSignIns | None = preload.get(session, PRELOAD_SIGN_INS)
    if loaded is not None and duty_date is not None and loaded.covers(duty_date):
        return loaded.rows.get((rotation.id, member.id, duty_date))
    return session.scalar(
        select(SignIn).where(
            SignIn.rotation_id == rotation.id,
            SignIn.member_id == member.id,
            SignIn.duty_date == duty_date,
        )
    )


def sign_rows(
    session: Session, duties: Iterable[tuple[Rotation, date | None]]
) -> dict[tuple[int, int, date], SignIn]:
    """The sign-in rows of the given duty days, by (rotation, member, duty date), in one
    statement: :func:`sign_row` per person on duty was one statement each (/今日值班)."""
    days = {(rotation.id, day) for rotation, day in duties if day is not None}
    loaded: LoadedSignIns | None = preload.get(session, PRELOAD_SIGN_INS)
    if loaded is not None and all(loaded.covers(day) for _, day in days):
        return {key: row for key, row in loaded.rows.items() if (key[0], key[2]) in days}
    if not days:
        return {}
    # Rotations and dates as two IN lists (one cached statement shape whatever their number;
    # an OR of pairs cost more to build than to run), the pairs picked out here.
    query = select(SignIn).where(
        SignIn.rotation_id.in_({r for r, _ in days}), SignIn.duty_date.in_({d for _, d in days})
    )
    return {
        (row.rotation_id, row.member_id, row.duty_date): row
        for row in session.scalars(query)
        if (row.rotation_id, row.duty_date) in days
    }


def sign_ins(session: Session, *, team: Team, first: date, last: date) -> list[SignIn]:
    """Sign-in rows of the team's rotations for duty dates in [first, last]."""
    ids = [r.id for r in rotations(session, team=team)]
    if not ids:
        return []
    return list(
        session.scalars(
            select(SignIn)
            .where(SignIn.rotation_id.in_(ids), SignIn.duty_date >= first, SignIn.duty_date <= last)
            .order_by(SignIn.duty_date, SignIn.id)
        )
    )


@dataclass
class DutyStatus:
    """One person on duty for one duty day, with their sign-in state."""

    rotation: Rotation
    member: Member
    duty_date: date
    primary: bool
    sign: SignIn | None


def open_sign_ins(session: Session, *, team: Team, at: datetime) -> list[DutyStatus]:
    """Everyone signed in for the duty day of ``at`` and not signed out yet, on duty now or not
    (someone swapped out mid-day still owes the duty report)."""
    result: list[DutyStatus] = []
    loaded: LoadedSignIns | None = preload.get(session, PRELOAD_SIGN_INS)
    for day in _days_now(session, team, at):
        rows: list[SignIn]
        if loaded is not None and day.day is not None and loaded.covers(day.day):
            rows = [
                r
                for r in loaded.by_day.get((day.rotation.id, day.day), [])
                if r.signed_out_at is None
            ]
        else:
            rows = list(
                session.scalars(
                    select(SignIn).where(
                        SignIn.rotation_id == day.rotation.id,
                        SignIn.duty_date == day.day,
                        SignIn.signed_out_at.is_(None),
                    )
                )
            )
        people = members_by_id(session, (r.member_id for r in rows))
        for row in rows:
            member = people.get(row.member_id)
            if member is not None and day.day is not None:
                primary = bool(day.main) and day.main[0] == member.id
                result.append(DutyStatus(day.rotation, member, day.day, primary, row))
    return result


@dataclass
class MidDayEffect:
    """What a change for today does to sign-ins: who signed in and no longer holds the rest of
    the day (they can still sign out), and who newly holds some of it (they can sign in)."""

    kept: list[Member]
    newcomers: list[Member]


def holders_today(session: Session, *, team: Team, rotation: Rotation, now: datetime) -> set[int]:
    """Who holds some of ``rotation``'s current duty day from ``now`` on."""
    [day] = duty_days_at(session, team=team, at=now, only=[rotation])
    return day.holders_from(ensure_utc(now))


def mid_day_effect(
    session: Session, *, team: Team, rotation: Rotation, before: set[int], now: datetime
) -> MidDayEffect:
    """Compare today's holders ``before`` a change with those after it (see module notes)."""
    now = ensure_utc(now)
    [day] = duty_days_at(session, team=team, at=now, only=[rotation])
    after = day.holders_from(now)
    signed = {
        row.member_id: row
        for row in session.scalars(
            select(SignIn).where(SignIn.rotation_id == rotation.id, SignIn.duty_date == day.day)
        )
    }
    kept_ids = [m for m in before - after if m in signed and signed[m].signed_out_at is None]
    new_ids = [m for m in after - before if m not in signed]
    people = {
        m.id: m for m in session.scalars(select(Member).where(Member.id.in_([*kept_ids, *new_ids])))
    }
    return MidDayEffect(
        kept=[people[m] for m in sorted(kept_ids) if m in people],
        newcomers=[people[m] for m in sorted(new_ids) if m in people],
    )


def duty_status(session: Session, *, team: Team, at: datetime) -> list[DutyStatus]:
    """Everyone on duty at ``at`` with their sign-in row (for reminders and the dashboard)."""
    result: list[DutyStatus] = []
    duties = on_duty(session, team=team, at=at)
    signs = sign_rows(session, ((entry.rotation, entry.duty_date) for entry in duties))
    for entry in duties:
        if entry.duty_date is None:
            continue
        for index, member in enumerate(entry.members):
            sign = signs.get((entry.rotation.id, member.id, entry.duty_date))
            result.append(DutyStatus(entry.rotation, member, entry.duty_date, index == 0, sign))
    return result
