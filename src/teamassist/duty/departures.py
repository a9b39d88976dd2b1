"""People who leave: a deactivated member goes out of every rotation from the day it takes effect.

The team domain publishes :class:`~teamassist.events.MemberDeactivated`; this removes the member
with the same roster change an admin's ``/值班人员移除`` makes, so pending changes are replayed
and broken swaps cancelled as usual. Today's person on duty keeps today's shift and leaves from
the next duty day; a rotation that would be left empty refuses (the deactivation with it), so an
admin adds someone first.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from teamassist.clock import local, parse_hhmm
from teamassist.duty import planning, service
from teamassist.duty.rotation import duty_date_at
from teamassist.events import MemberDeactivated
from teamassist.exceptions import Conflict
from teamassist.team.models import Member, Team


def on_member_deactivated(session: Session, event: MemberDeactivated) -> None:
    """Remove the member from each rotation they are in, from the duty day of ``event.at``."""
    by = session.get(Member, event.by_id) if event.by_id else None
    for team_id in event.team_ids:
        team = session.get(Team, team_id)
        if team is None:
            continue
        for rotation in service.rotations(session, team=team):
            spec = service.current_spec(session, team, rotation)
            if not spec.versions or event.member_id not in spec.versions[-1].member_ids:
                continue
            handoff = parse_hhmm(service.rotation_handoff(session, team, rotation))
            # A deactivation "from 06-05" means from that calendar day, not from the night
            # shift before it; never before the duty day running now.
            day = max(
                local(event.at, team.timezone).date(),
                duty_date_at(event.now, handoff, team.timezone),
            )
            change = planning.RosterChange(
                planning.ACTION_REMOVE, member_ids=(event.member_id,), effective_date=day
            )
            try:
                service.change_roster(
                    session, team=team, rotation=rotation, change=change, now=event.now, by=by
                )
            except Conflict as exc:
                if exc.key != "duty.error.remove_on_duty":
                    raise
                # On duty right now: today's shift stays theirs, they leave from tomorrow.
                tomorrow = planning.RosterChange(
                    planning.ACTION_REMOVE,
                    member_ids=(event.member_id,),
                    effective_date=day + timedelta(days=1),
                )
                service.change_roster(
                    session, team=team, rotation=rotation, change=tomorrow, now=event.now, by=by
                )
