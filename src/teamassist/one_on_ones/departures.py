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

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from teamassist.chat.types import user_text
from teamassist.clock import local
from teamassist.events import MemberDeactivated, MemberReactivated
from teamassist.i18n import t
from teamassist.one_on_ones import service
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting
from teamassist.ports import Workdays
from teamassist.team.models import Member, Team

_LISTED = 5  # a departure's reply names this many cancelled 1on1s, then counts, as duty's


def on_member_reactivated(
    session: Session, event: MemberReactivated, *, workdays: Workdays
) -> str | None:
    """Someone stays after all: re-plan their pairs, which revives what was cancelled for the
    departure (a moved occurrence at its moved time, if still ahead); says so when they have
    pairs, None when they have none."""
    count = _replan(session, event.member_id, event.team_ids, event.now, workdays)
    return t("one_on_ones.departure.replanned", count=count) if count else None


def on_member_deactivated(
    session: Session, event: MemberDeactivated, *, workdays: Workdays
) -> str | None:
    """Re-plan the departed member's pairs in ``event.team_ids``; says which 1on1s that
    cancelled (with whom, when: the first :data:`_LISTED` named, then counted), None when
    none. The admin's ``/停用成员`` reply and REST's ``changes`` carry it, as they carry duty's
    cancelled covers (session 26: the 1on1s were cancelled without a word).

    Someone who left only these teams (``whole`` false) stays active, so the re-plan alone
    (which cancels from the time a person is deactivated) would keep their 1on1s there: those
    pairs lose their slot instead, which cancels every occurrence ahead (each published for
    the calendars) and plans none; their history stays, and a new slot plans them again."""
    pairs = _pairs(session, event.member_id, event.team_ids)
    before = _scheduled(session, pairs)
    if not event.whole:
        for pair in pairs:
            pair.cadence = pair.weekday = pair.at = pair.nth = pair.anchor = None
    _replan(session, event.member_id, event.team_ids, event.now, workdays)
    if not before:
        return None
    gone = [
        m for m in session.scalars(_of(pairs)) if m.id in before and m.status != service.SCHEDULED
    ]
    if not gone:
        return None
    by_id = {pair.id: pair for pair in pairs}
    items = [_item(session, by_id[m.pair_id], m, event.member_id) for m in gone]
    shown = "、".join(items[:_LISTED])
    if len(items) > _LISTED:
        shown += t("one_on_ones.departure.and_more", count=len(items) - _LISTED)
    return t("one_on_ones.departure.cancelled", count=len(items), items=shown)


def _of(pairs: list[OneOnOne]) -> Select[OneOnOneMeeting]:
    return (
        select(OneOnOneMeeting)
        .where(OneOnOneMeeting.pair_id.in_([pair.id for pair in pairs]))
        .order_by(OneOnOneMeeting.start_at, OneOnOneMeeting.id)
    )


def _scheduled(session: Session, pairs: list[OneOnOne]) -> set[int]:
    """The ids of the pairs' occurrences scheduled now (before the departure's re-plan)."""
    if not pairs:
        return set()
    return {m.id for m in session.scalars(_of(pairs)) if m.status == service.SCHEDULED}


def _item(session: Session, pair: OneOnOne, meeting: OneOnOneMeeting, leaver_id: int) -> str:
    """「与李华 06-04 10:00」: the other person and the occurrence's team-local time."""
    other_id = pair.report_id if pair.manager_id == leaver_id else pair.manager_id
    other = session.get(Member, other_id)
    team = session.get(Team, pair.team_id)
    at = local(meeting.start_at, team.timezone if team else "UTC")
    name = user_text(other.display_name) if other else "?"
    return t("one_on_ones.departure.item", name=name, at=f"{at:%Y-%m-%d %H:%M}")


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
