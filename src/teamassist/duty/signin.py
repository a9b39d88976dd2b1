"""Sign-in and sign-out (值班签到 / 值班签出) with the duty report, per duty day and rotation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from teamassist import events
from teamassist.clock import ensure_utc
from teamassist.duty.models import Rotation, SignIn
from teamassist.duty.service import RotationDuty, on_duty, rotations
from teamassist.exceptions import Conflict, DomainError
from teamassist.team.models import Member, Team

# When the sign-in reminders go out by default (``duty.sign_in_reminder``; a team may set its
# own). The first one is also the line after which a sign-in counts as late (``fairness``).
SIGN_IN_REMINDER_TIMES = ("10:00", "10:30", "11:00")

# -- sign-in and sign-out --------------------------------------------------------------------


def _duties_of(session: Session, team: Team, member: Member, now: datetime) -> list[RotationDuty]:
    return [e for e in on_duty(session, team=team, at=now) if member.id in e.member_ids]


def sign_in(session: Session, *, team: Team, member: Member, now: datetime) -> list[SignIn]:
    """Record that ``member``, on duty now, has started; one row per rotation they hold."""
    now = ensure_utc(now)
    duties = _duties_of(session, team, member, now)
    if not duties:
        raise DomainError("duty.error.not_on_duty_sign_in", name=member.display_name)
    created: list[SignIn] = []
    for duty in duties:
        if duty.duty_date is None or sign_row(session, duty.rotation, member, duty.duty_date):
            continue
        row = SignIn(
            rotation_id=duty.rotation.id,
            member_id=member.id,
            duty_date=duty.duty_date,
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
    events.publish("duty.signed_in", session=session, team=team, member=member, now=now)
    return created


@dataclass
class SignOutResult:
    """What a sign-out did."""

    rows: list[SignIn]
    report_added: bool  # an earlier sign-out without a report got its report now
    needs_report: bool  # signed out without a report


def sign_out(
    session: Session, *, team: Team, member: Member, now: datetime, report: str | None = None
) -> SignOutResult:
    """Record the end of ``member``'s duty day, with the duty report (值班日报) when given."""
    now = ensure_utc(now)
    report = (report or "").strip() or None
    duties = _duties_of(session, team, member, now)
    if not duties:
        raise DomainError("duty.error.not_on_duty_sign_out", name=member.display_name)
    rows = [
        sign_row(session, d.rotation, member, d.duty_date)
        for d in duties
        if d.duty_date is not None
    ]
    signed = [r for r in rows if r is not None]
    if not signed:
        raise DomainError("duty.error.not_signed_in", name=member.display_name)
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
    raise Conflict("duty.error.already_signed_out", name=member.display_name)


def sign_row(
    session: Session, rotation: Rotation, member: Member, duty_date: date | None
) -> SignIn | None:
    """The member's sign-in row for one duty day of one rotation, if any."""
    return session.scalar(
        select(SignIn).where(
            SignIn.rotation_id == rotation.id,
            SignIn.member_id == member.id,
            SignIn.duty_date == duty_date,
        )
    )


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


def duty_status(session: Session, *, team: Team, at: datetime) -> list[DutyStatus]:
    """Everyone on duty at ``at`` with their sign-in row (for reminders and the dashboard)."""
    result: list[DutyStatus] = []
    for entry in on_duty(session, team=team, at=at):
        if entry.duty_date is None:
            continue
        for index, member in enumerate(entry.members):
            result.append(
                DutyStatus(
                    entry.rotation,
                    member,
                    entry.duty_date,
                    index == 0,
                    sign_row(session, entry.rotation, member, entry.duty_date),
                )
            )
    return result
