"""A reviewer who leaves: their open 360 requests are withdrawn, so they are neither reminded
nor counted as asked.

The team domain publishes :class:`~teamassist.events.MemberDeactivated` when a departure is
decided and again when it takes effect; the requests are withdrawn then. For each of their
teams' open cycles, every request still nominated or invited for them becomes ``withdrawn``
(:func:`teamassist.reviews.service.withdraw`); an answer they already gave stays and counts,
since it names nobody. A departure not heard here (a merge, a removal from the team) is caught
by the reminders and the close (:func:`teamassist.reviews.service.withdraw_departed`).
Heard twice, the second pass finds nothing open.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.events import MemberDeactivated
from teamassist.reviews import service
from teamassist.reviews.models import ReviewCycle
from teamassist.team.models import Team


def on_member_deactivated(session: Session, event: MemberDeactivated) -> int:
    """Withdraw the departed member's open requests in their teams' open cycles; returns how
    many requests changed. A departure set for a later date changes nothing yet (heard again
    when it takes effect)."""
    if event.at > event.now:
        return 0
    changed = 0
    for team_id in event.team_ids:
        team = session.get(Team, team_id)
        if team is None:
            continue
        for cycle in session.scalars(select(ReviewCycle).where(ReviewCycle.team_id == team.id)):
            if service.is_open(cycle, team, event.now):
                changed += service.withdraw(session, cycle=cycle, reviewer_ids={event.member_id})
    return changed
