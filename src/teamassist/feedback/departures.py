"""Someone who takes the team's feedback leaves: their open items and the default-owner setting.

The team domain asks :class:`~teamassist.events.MemberDeactivated` when a person leaves the
workspace (``whole``) and when one team's admin takes them out of that team only (``whole``
false, ``team.people.leave_teams``): the rules are the same, applied to ``team_ids`` only, so a
person keeps the feedback of the teams they stay in. Once the departure takes effect (a dated
one waits for its day, as action items do):

- a team whose ``feedback.default_owner`` names them has it cleared (the routing then falls back
  to the team's first active admin, ``flows.default_owner``);
- each of their items not yet closed in those teams goes, by the assistant, to whoever is on
  duty for its kind now, else the team's default owner, and that person is told
  (``flows.assign``, a history row with the reason). With nobody to take it the item keeps its
  owner, and the follow-up sweep's escalation to the admins still lists it.

Before, feedback heard no departure at all: a partial leaver kept the team's items and stayed
its default owner, and could not act on either (tester F5, session 20). Heard twice, the second
pass finds nothing left to move.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.events import MemberDeactivated
from teamassist.feedback import flows
from teamassist.feedback import settings as feedback_settings
from teamassist.feedback.models import ACTIVE_STATUSES, FeedbackItem
from teamassist.i18n import t
from teamassist.ports import Roster
from teamassist.team.models import Member, Team


def on_member_deactivated(
    session: Session, event: MemberDeactivated, *, roster: Roster
) -> str | None:
    """Clear the setting and hand the items over; one sentence for the reply to the admin
    who made the change (what moved, whose setting was cleared), None when nothing did."""
    if event.at > event.now:
        return None
    member = session.get(Member, event.member_id)
    if member is None:
        return None
    teams = session.scalars(select(Team).where(Team.id.in_(event.team_ids)).order_by(Team.id))
    cleared = [
        team.name for team in teams if feedback_settings.clear_owner(team, handle=member.handle)
    ]
    session.flush()
    query = select(FeedbackItem).where(
        FeedbackItem.owner_id == member.id,
        FeedbackItem.status.in_([s.value for s in ACTIVE_STATUSES]),
    )
    if not event.whole:  # they left only these teams: their items elsewhere stay theirs
        query = query.where(FeedbackItem.team_id.in_(event.team_ids))
    items = session.scalars(
        query.order_by(FeedbackItem.id).with_for_update().execution_options(populate_existing=True)
    ).all()
    moved = 0
    for item in items:
        team = session.get(Team, item.team_id)
        if team is None:
            continue
        taker = _taker(session, roster, team, item, left=member, event=event)
        if taker is None:
            continue  # nobody to take it: the sweep's escalation still lists it
        flows.assign(
            session,
            item=item,
            owner=taker,
            actor=None,
            now=event.now,
            note=t("feedback.departure.reason"),
        )
        moved += 1
    said = []
    if moved:
        said.append(t("feedback.departure.moved", count=moved, name=member.display_name))
    if cleared:
        said.append(
            t(
                "feedback.departure.owner_cleared",
                name=member.display_name,
                teams="、".join(cleared),
            )
        )
    return "".join(said) or None


def _taker(
    session: Session,
    roster: Roster,
    team: Team,
    item: FeedbackItem,
    *,
    left: Member,
    event: MemberDeactivated,
) -> Member | None:
    """Who takes ``item`` over: on duty for its kind now, else the team's default owner;
    never the leaver."""
    people = flows.on_duty(session, roster=roster, team=team, at=event.now, kind=item.kind)
    found = next((m for m in people if m.id != left.id), None)
    if found is not None:
        return found
    fallback = flows.default_owner(session, team=team)
    return fallback if fallback is not None and fallback.id != left.id else None
