"""A member who leaves: their open 360 requests, as reviewer and as reviewee, are withdrawn, so
nobody is reminded of them nor counted as asked.

The team domain publishes :class:`~teamassist.events.MemberDeactivated` when a departure is
decided and again when it takes effect; the requests are withdrawn then. For each of their
teams' open cycles, every request still nominated or invited for them becomes ``withdrawn``
(:func:`teamassist.reviews.service.withdraw`); an answer they already gave stays and counts,
since it names nobody. A departure not heard here (a merge, a removal from the team) is caught
by the reminders and the close (:func:`teamassist.reviews.service.withdraw_departed`).
Heard twice, the second pass finds nothing open. If they stay after all
(:class:`~teamassist.events.MemberReactivated`), the requests withdrawn for it in cycles still
open come back as they were (:func:`teamassist.reviews.service.restore`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.events import MemberDeactivated, MemberReactivated
from teamassist.i18n import t
from teamassist.reviews import service
from teamassist.reviews.models import ReviewCycle
from teamassist.team.models import Team


def _open_cycles(session: Session, team_ids: Sequence[int], now: datetime) -> Iterator[ReviewCycle]:
    """The open cycles of the teams ``team_ids`` (teams gone meanwhile are skipped)."""
    for team_id in team_ids:
        team = session.get(Team, team_id)
        if team is None:
            continue
        for cycle in session.scalars(select(ReviewCycle).where(ReviewCycle.team_id == team.id)):
            if service.is_open(cycle, team, now):
                yield cycle


def on_member_deactivated(session: Session, event: MemberDeactivated) -> int:
    """Withdraw the departed member's open requests in their teams' open cycles; returns how
    many requests changed. A departure set for a later date changes nothing yet (heard again
    when it takes effect)."""
    if event.at > event.now:
        return 0
    # Requests asking others about them go too: a reviewee who left stayed on everyone's
    # /360 list, with reminders (tester F10, session 19).
    return sum(
        service.withdraw(
            session, cycle=cycle, reviewer_ids={event.member_id}, reviewee_ids={event.member_id}
        )
        for cycle in _open_cycles(session, event.team_ids, event.now)
    )


def on_member_reactivated(session: Session, event: MemberReactivated) -> str | None:
    """Someone stays after all: their withdrawn requests in their teams' open cycles come back
    (tester F21, session 18: 张三's self review was lost for good); says how many, None when
    the departure withdrew none."""
    restored = sum(
        service.restore(session, cycle=cycle, reviewer_id=event.member_id)
        for cycle in _open_cycles(session, event.team_ids, event.now)
    )
    return t("reviews.departure.restored", count=restored) if restored else None
