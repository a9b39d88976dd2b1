"""A member who leaves: their items not yet closed go to someone who can act on them.

The team domain publishes :class:`~teamassist.events.MemberDeactivated` (merging a member away
moves their rows by itself). Each item the member owns and that is not closed is handed over
with the same :func:`teamassist.actions.flows.reassign` a ``/转交销项`` makes, by the assistant
(a ``reassigned`` history row with no actor and the reason): to its requester while they are
still here (they asked for it and know what it needs), else to the team's director or stand-in
(:func:`teamassist.team.service.director_or_stand_in`). The new owner is told. With nobody to
take it the item stays, and the overdue escalation keeps listing it for the director's digest.
Heard twice (a redelivered event), the second pass finds nothing left to move.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from teamassist.actions import flows, service
from teamassist.actions.models import ActionItem, ActionState
from teamassist.events import (
    FollowUpPersonal,
    MemberDeactivated,
    MemberReactivated,
    WorkspaceDeleting,
    ask,
)
from teamassist.i18n import t
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team


def _taker(session: Session, team: Team, item: ActionItem, left_id: int) -> Member | None:
    requester = session.get(Member, item.requester_id) if item.requester_id else None
    if requester is not None and requester.id != left_id and not team_service.has_left(requester):
        return requester
    readers = team_service.director_or_stand_in(session, team=team)
    return next((m for m in readers if m.id != left_id), None)


def on_member_deactivated(session: Session, event: MemberDeactivated) -> list[int]:
    """Hand over the departed member's open and done items; returns the ids moved. A departure
    set for a later date changes nothing yet: they keep their items until they leave (the
    event is heard again then). Someone who left only some teams (``whole`` false) hands over
    only those teams' items."""
    if event.at > event.now:
        return []
    query = select(ActionItem).where(
        ActionItem.owner_id == event.member_id,
        ActionItem.state != ActionState.CLOSED.value,
    )
    if not event.whole:  # they left only these teams: their items elsewhere stay theirs
        query = query.where(ActionItem.team_id.in_(event.team_ids))
    items = session.scalars(
        query.order_by(ActionItem.id).with_for_update().execution_options(populate_existing=True)
    ).all()
    moved: list[int] = []
    for item in items:
        personal: list[bool] = (
            ask(session, FollowUpPersonal(item.source_kind, item.source_id))
            if item.source_kind and item.source_id is not None
            else []
        )
        if any(personal):
            # only its owner could do it (their own plan): it closes with them, nobody told
            service.cancel_for_source(session, item=item, now=event.now, owner_left=True)
            continue
        team = session.get(Team, item.team_id)
        taker = _taker(session, team, item, event.member_id) if team is not None else None
        if team is None or taker is None:
            continue  # nobody to take it: the escalation to the digest still lists it
        flows.reassign(
            session,
            team=team,
            item=item,
            actor=None,
            admin=True,
            owner=taker,
            now=event.now,
            reason=t("actions.word.owner_left"),
        )
        moved.append(item.id)
    return moved


def on_member_reactivated(session: Session, event: MemberReactivated) -> str | None:
    """Someone who left is back (``/启用成员``): the items of ``event.team_ids`` that closed
    with them because only they could do them (their career plan's) open again, theirs, with
    their due times (:func:`service.reopen_for_returning_owner`). Items handed to others stay
    with them. Says how many reopened, None when none did; heard twice, the second finds none."""
    closed = session.scalars(
        select(ActionItem)
        .where(
            ActionItem.owner_id == event.member_id,
            ActionItem.team_id.in_(event.team_ids),
            ActionItem.state == ActionState.CLOSED.value,
        )
        .order_by(ActionItem.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    reopened = [
        item.id
        for item in closed
        if service.reopen_for_returning_owner(session, item=item, now=event.now)
    ]
    if not reopened:
        return None
    return t("actions.departure.reopened", ids="、".join(f"#{i}" for i in reopened))


def on_workspace_deleting(session: Session, event: WorkspaceDeleting) -> None:
    """Delete the workspace's items (their history and reminders go by cascade) before its
    members: the items' owner and requester keys RESTRICT a member's deletion."""
    session.execute(
        delete(ActionItem).where(ActionItem.workspace_id == event.workspace.id),
        execution_options={"synchronize_session": False},
    )
