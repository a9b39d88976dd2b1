"""Someone who leaves: their 1on1s from the time they leave are cancelled.

The team domain publishes :class:`~teamassist.events.MemberDeactivated` (``at`` may lie ahead).
Each pair of theirs in the teams named is re-planned at once
(:func:`teamassist.one_on_ones.service.replan`), which cancels every occurrence from
:func:`~teamassist.one_on_ones.service.leaving_at` on and publishes each change, so the
people's Feishu calendar events are cancelled too. A tester found a member who had left still
listed with five upcoming 1on1s, their calendar events confirmed. Heard twice, the second pass
changes nothing. If they stay after all (:class:`~teamassist.events.MemberReactivated`) the pairs
are re-planned again, which revives what was cancelled for the departure, a moved one included.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from teamassist.events import MemberDeactivated, MemberReactivated
from teamassist.i18n import t
from teamassist.one_on_ones import service
from teamassist.one_on_ones.models import OneOnOne
from teamassist.ports import Workdays
from teamassist.team.models import Team


def on_member_reactivated(
    session: Session, event: MemberReactivated, *, workdays: Workdays
) -> str | None:
    """Someone stays after all: re-plan their pairs, which revives what was cancelled for the
    departure (a moved occurrence at its moved time, if still ahead); says so when they have
    pairs, None when they have none."""
    count = _replan(session, event.member_id, event.team_ids, event.now, workdays)
    return t("one_on_ones.departure.replanned", count=count) if count else None


def on_member_deactivated(session: Session, event: MemberDeactivated, *, workdays: Workdays) -> int:
    """Re-plan the departed member's pairs in ``event.team_ids``; returns how many pairs.

    Someone who left only these teams (``whole`` false) stays active, so the re-plan alone
    (which cancels from the time a person is deactivated) would keep their 1on1s there: those
    pairs lose their slot instead, which cancels every occurrence ahead (each published for
    the calendars) and plans none; their history stays, and a new slot plans them again."""
    if not event.whole:
        for pair in _pairs(session, event.member_id, event.team_ids):
            pair.cadence = pair.weekday = pair.at = pair.nth = pair.anchor = None
    return _replan(session, event.member_id, event.team_ids, event.now, workdays)


def _pairs(session: Session, member_id: int, team_ids: tuple[int, ...]) -> list[OneOnOne]:
    """The pairs of ``team_ids`` that ``member_id`` is one of, oldest first."""
    return list(
        session.scalars(
            select(OneOnOne)
            .where(
                OneOnOne.team_id.in_(team_ids),
                or_(OneOnOne.manager_id == member_id, OneOnOne.report_id == member_id),
            )
            .order_by(OneOnOne.id)
        )
    )


def _replan(
    session: Session,
    member_id: int,
    team_ids: tuple[int, ...],
    now: datetime,
    workdays: Workdays,
) -> int:
    pairs = _pairs(session, member_id, team_ids)
    for pair in pairs:
        team = session.get(Team, pair.team_id)
        if team is not None:
            service.replan(session, team=team, pair=pair, now=now, workdays=workdays)
    return len(pairs)
