"""One change of an item and the notice it sends: what a chat command and its REST endpoint
both call (the service changes the row; this adds the other party's notice), so the two paths
cannot drift apart. None commits: the chat dispatcher or the request owns the transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.actions import notices, repeats, service
from teamassist.actions.models import ActionItem
from teamassist.team.models import Member, Team


def create(
    session: Session,
    *,
    team: Team,
    requester: Member,
    owner: Member,
    title: str,
    due_at: datetime,
    now: datetime,
    source: service.Source | None = None,
    force: bool = False,
) -> ActionItem:
    """A new item (:func:`service.create`) for one of ``team``'s people, by chat or REST; its
    owner is told. Other domains' follow-ups go through ``follow_ups`` with their own owner.
    The same item again within a few minutes is refused unless ``force`` (Conflict
    ``actions.error.repeat``, :mod:`teamassist.actions.repeats`)."""
    service.check_owner_in_team(session, team=team, owner=owner)
    if not force:
        repeats.refuse_a_repeat(
            session,
            team=team,
            requester=requester,
            owner=owner,
            title=" ".join(title.split()),  # as stored
            due_at=due_at,
            now=now,
        )
    item = service.create(
        session,
        team=team,
        requester=requester,
        owner=owner,
        title=title,
        due_at=due_at,
        now=now,
        source=source,
    )
    notices.assigned(session, team=team, item=item, owner=owner, requester=requester)
    return item


def done(
    session: Session, *, team: Team, item: ActionItem, actor: Member, now: datetime
) -> ActionItem:
    """The owner finishes it (:func:`service.mark_done`); the requester is asked to check."""
    service.mark_done(session, item=item, actor=actor, now=now)
    notices.done(session, team=team, item=item, owner=actor)
    return item


def confirm(
    session: Session, *, team: Team, item: ActionItem, actor: Member, admin: bool, now: datetime
) -> ActionItem:
    """The requester closes it (:func:`service.confirm`); the owner is told."""
    service.confirm(session, team=team, item=item, actor=actor, admin=admin, now=now)
    notices.closed(session, team=team, item=item, actor=actor)
    return item


def reopen(
    session: Session,
    *,
    team: Team,
    item: ActionItem,
    actor: Member,
    admin: bool,
    now: datetime,
    reason: str = "",
) -> ActionItem:
    """The requester sends it back (:func:`service.reopen`); the owner is told why."""
    service.reopen(session, team=team, item=item, actor=actor, admin=admin, now=now, reason=reason)
    notices.reopened(session, team=team, item=item, actor=actor, reason=reason)
    return item


def extend(
    session: Session,
    *,
    team: Team,
    item: ActionItem,
    actor: Member,
    admin: bool,
    due_at: datetime,
    reason: str,
    now: datetime,
    origin: str | None = None,
) -> datetime:
    """A later due time (:func:`service.extend`, ``origin`` the card pressed); the other party
    is told. Returns the due time before."""
    before = item.due_at
    service.extend(
        session,
        team=team,
        item=item,
        actor=actor,
        admin=admin,
        due_at=due_at,
        reason=reason,
        now=now,
        origin=origin,
    )
    notices.extended(session, team=team, item=item, actor=actor, before=before)
    return before


def reassign(
    session: Session,
    *,
    team: Team,
    item: ActionItem,
    actor: Member | None,
    admin: bool,
    owner: Member,
    now: datetime,
    reason: str = "",
) -> ActionItem:
    """A new owner (:func:`service.reassign`), one of ``team``'s people; the new owner is told
    (with the done button)."""
    if actor is not None:  # the assistant hands a leaver's item to its requester or director
        service.check_owner_in_team(
            session, team=team, owner=owner, key="actions.error.reassign_not_in_team"
        )
    service.reassign(
        session,
        team=team,
        item=item,
        actor=actor,
        admin=admin,
        owner=owner,
        now=now,
        reason=reason or None,
    )
    notices.reassigned(session, team=team, item=item, owner=owner, actor=actor)
    return item
