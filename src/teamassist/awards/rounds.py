"""Rounds: find, open, move to voting, close with the tally and the announcement, history.

Phases only move forward (nominating → voting → closed), each move made on the round's row
under a lock, so a sweep and a director's command racing move it once; the result notice's
outbox key names the round, so a re-run of the close queues nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from teamassist.awards import notices, schedule, tally
from teamassist.awards import settings as award_settings
from teamassist.awards.models import (
    PHASE_REFUSAL,
    AwardNomination,
    AwardRound,
    AwardVote,
    Phase,
)
from teamassist.clock import ensure_utc
from teamassist.exceptions import Conflict, NotFound, PermissionDenied
from teamassist.ports import Workdays
from teamassist.team.models import Member, Team, TeamMembership

HISTORY = 24  # months the history lists


def require_director(team: Team, member: Member | None, *, admin: bool) -> None:
    """Refuse (PermissionDenied ``awards.error.not_director``) unless ``member`` is the
    team's director or the caller is an admin of the team."""
    if admin or (member is not None and member.id == team.director_id):
        return
    raise PermissionDenied("awards.error.not_director", team=team.name)


def lock(session: Session, row: AwardRound) -> AwardRound:
    """``row`` re-read under a row lock (its latest committed state on every backend)."""
    locked = session.scalars(
        select(AwardRound)
        .where(AwardRound.id == row.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return locked


def by_period(session: Session, *, team: Team, period: str) -> AwardRound | None:
    """The team's round of ``period`` (``2026-11``), if any."""
    return session.scalar(
        select(AwardRound).where(AwardRound.team_id == team.id, AwardRound.period == period)
    )


def get(session: Session, *, team: Team, period: str) -> AwardRound:
    """The team's round of ``period``; Invalid for a malformed period, NotFound when none."""
    schedule.parse_period(period)
    found = by_period(session, team=team, period=period.strip())
    if found is None:
        raise NotFound("awards.error.no_such_round", period=period.strip())
    return found


def active(session: Session, *, team: Team) -> AwardRound | None:
    """The team's latest round that has not closed."""
    return session.scalar(
        select(AwardRound)
        .where(AwardRound.team_id == team.id, AwardRound.phase != Phase.CLOSED.value)
        .order_by(AwardRound.period.desc())
        .limit(1)
    )


def shown(session: Session, *, team: Team) -> AwardRound | None:
    """What ``/专家评选`` shows: the open round, else the latest closed one."""
    return active(session, team=team) or session.scalar(
        select(AwardRound)
        .where(AwardRound.team_id == team.id)
        .order_by(AwardRound.period.desc())
        .limit(1)
    )


def history(session: Session, *, team: Team, limit: int = HISTORY) -> list[AwardRound]:
    """Closed rounds, newest first."""
    return list(
        session.scalars(
            select(AwardRound)
            .where(AwardRound.team_id == team.id, AwardRound.phase == Phase.CLOSED.value)
            .order_by(AwardRound.period.desc())
            .limit(limit)
        )
    )


def streak(session: Session, *, team: Team, member_id: int, before: str) -> tuple[int, str]:
    """How many months in a row up to the month before ``before`` ``member_id`` won, and the
    last of them (``""`` when none)."""
    wins = {
        period
        for period, winner in session.execute(
            select(AwardRound.period, AwardRound.winner_id).where(
                AwardRound.team_id == team.id, AwardRound.phase == Phase.CLOSED.value
            )
        ).all()
        if winner == member_id
    }
    count, period, last = 0, schedule.previous(before), ""
    while period in wins:
        last = last or period
        count += 1
        period = schedule.previous(period)
    return count, last


def open_round(
    session: Session,
    *,
    team: Team,
    now: datetime,
    workdays: Workdays,
    period: str | None = None,
    by_hand: bool = False,
) -> AwardRound:
    """Open the round of ``period`` (default: the team's current month) for nominations.

    The moments come from the team's settings; ``by_hand`` (the director's command) opens it
    now. Conflict when the round exists (``awards.error.already_open`` / ``already_closed``)
    or when, opened by hand, the month's close has already passed."""
    now = ensure_utc(now)
    period = period or schedule.period_of(now, team.timezone)
    existing = by_period(session, team=team, period=period)
    if existing is not None:
        closed = existing.phase == Phase.CLOSED.value
        key = "awards.error.already_closed" if closed else "awards.error.already_open"
        raise Conflict(key, period=period)
    plan = schedule.plan(period, tz=team.timezone, knobs=award_settings.of(team), workdays=workdays)
    if by_hand and plan.closes_at <= now:
        raise Conflict("awards.error.month_over", period=period)
    opened = min(now, plan.opened_at) if by_hand else plan.opened_at
    row = AwardRound(
        workspace_id=team.workspace_id,
        team_id=team.id,
        period=period,
        phase=Phase.NOMINATING.value,
        opened_at=opened,
        voting_at=max(plan.voting_at, opened),
        closes_at=plan.closes_at,
    )
    # A sweep and a director's command may open the same month at once: the unique
    # (team, period) lets one insert win; the other reports the round as already open.
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict("awards.error.already_open", period=period) from None
    return row


def start_voting(session: Session, *, round_: AwardRound, now: datetime) -> AwardRound:
    """Move a nominating round to voting now; Conflict when it is not nominating."""
    row = lock(session, round_)
    if row.phase != Phase.NOMINATING.value:
        raise Conflict(PHASE_REFUSAL[row.phase], period=row.period)
    row.phase = Phase.VOTING.value
    row.voting_at = min(ensure_utc(row.voting_at), ensure_utc(now))
    session.flush()
    return row


def close(session: Session, *, team: Team, round_: AwardRound, now: datetime) -> AwardRound:
    """Close the round: count the votes (tie rule in :mod:`teamassist.awards.tally`), record
    the winner and the tally, and announce both in the team's group chats. Closing a closed
    round changes nothing and queues nothing."""
    row = lock(session, round_)
    if row.phase == Phase.CLOSED.value:
        return row
    lines = settle(session, round_=row, now=now)
    if lines:
        notices.announce_result(session, team=team, round_=row, lines=lines, now=now)
    return row


def settle(session: Session, *, round_: AwardRound, now: datetime) -> list[tally.Line]:
    """Count a (locked) round's votes and record the winner, the tally and the close on it;
    returns the tally best first. :func:`close` is the use case; this is its bookkeeping."""
    row = round_
    nominations = session.execute(
        select(
            AwardNomination.nominee_id,
            AwardNomination.nominator_id,
            AwardNomination.created_at,
            AwardNomination.id,
        ).where(AwardNomination.round_id == row.id)
    ).all()
    # A nominee who has left the team (deactivated, merged, or no longer a member) by the
    # close is not eligible: their nominations and the votes for them are dropped, so the
    # tie rule never reaches them either (docs/awards.md, "Tie rule").
    staying = eligible(session, team_id=row.team_id, member_ids={n[0] for n in nominations})
    votes = session.scalars(select(AwardVote.nominee_id).where(AwardVote.round_id == row.id))
    lines = tally.count(
        [(a, b, ensure_utc(c), d) for a, b, c, d in nominations if a in staying],
        [v for v in votes if v in staying],
    )
    row.phase = Phase.CLOSED.value
    row.closed_at = ensure_utc(now)
    row.winner_id = tally.winner(lines)
    row.tally = [line.as_dict() for line in lines]
    session.flush()
    return lines


def eligible(session: Session, *, team_id: int, member_ids: set[int]) -> set[int]:
    """Those of ``member_ids`` who are still active, unmerged members of the team."""
    if not member_ids:
        return set()
    return set(
        session.scalars(
            select(Member.id)
            .join(TeamMembership, TeamMembership.member_id == Member.id)
            .where(
                Member.id.in_(member_ids),
                Member.active.is_(True),
                Member.merged_into_id.is_(None),
                TeamMembership.team_id == team_id,
            )
        )
    )


def teams_to_advance(
    session: Session, *, teams: Sequence[Team], now: datetime, workdays: Workdays
) -> set[int]:
    """The ids of ``teams`` :func:`advance` may act on at ``now``, in two queries: a round
    due to close or to open its vote, or no round yet for the team's month while its
    nominations are open (the plan computed once per zone, settings and month)."""
    knobs_of = {team.id: award_settings.of(team) for team in teams}
    auto = [team for team in teams if knobs_of[team.id].auto]
    if not auto:
        return set()
    ids = [team.id for team in auto]
    chosen = set(
        session.scalars(
            select(AwardRound.team_id)
            .where(
                AwardRound.team_id.in_(ids),
                AwardRound.phase != Phase.CLOSED.value,
                or_(
                    AwardRound.closes_at <= now,
                    (AwardRound.phase == Phase.NOMINATING.value) & (AwardRound.voting_at <= now),
                ),
            )
            .distinct()
        )
    )
    periods = {team.id: schedule.period_of(now, team.timezone) for team in auto}
    have = {
        (team_id, period)
        for team_id, period in session.execute(
            select(AwardRound.team_id, AwardRound.period).where(
                AwardRound.team_id.in_(ids), AwardRound.period.in_(set(periods.values()))
            )
        )
    }
    plans: dict[tuple[str, str, award_settings.AwardSettings], schedule.Plan] = {}
    for team in auto:
        period = periods[team.id]
        if team.id in chosen or (team.id, period) in have:
            continue
        knobs = knobs_of[team.id]
        key = (period, team.timezone, knobs)
        if key not in plans:
            plans[key] = schedule.plan(period, tz=team.timezone, knobs=knobs, workdays=workdays)
        if plans[key].opened_at <= now < plans[key].voting_at:
            chosen.add(team.id)
    return chosen


def advance(session: Session, *, team: Team, now: datetime, workdays: Workdays) -> None:
    """The sweep: close rounds whose time has come, open voting when due, and open this
    month's round once its nominations start (unless the team turned ``auto`` off)."""
    if not award_settings.of(team).auto:
        return
    now = ensure_utc(now)
    for row in session.scalars(
        select(AwardRound).where(
            AwardRound.team_id == team.id, AwardRound.phase != Phase.CLOSED.value
        )
    ).all():
        if now >= ensure_utc(row.closes_at):
            close(session, team=team, round_=row, now=now)
        elif row.phase == Phase.NOMINATING.value and now >= ensure_utc(row.voting_at):
            start_voting(session, round_=row, now=now)
    period = schedule.period_of(now, team.timezone)
    if by_period(session, team=team, period=period) is not None:
        return
    plan = schedule.plan(period, tz=team.timezone, knobs=award_settings.of(team), workdays=workdays)
    if plan.opened_at <= now < plan.voting_at:
        open_round(session, team=team, now=now, workdays=workdays, period=period)
