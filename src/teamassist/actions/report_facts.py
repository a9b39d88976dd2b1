"""The action-item desk's answer to :class:`teamassist.events.ActionFacts`: the items a report
pack lists (opened or closed in its window, and those overdue now) as plain event dataclasses,
so the reports domain never imports the desk's internals."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from teamassist.actions import service
from teamassist.actions.models import ActionItem, ActionState
from teamassist.clock import ensure_utc
from teamassist.events import ActionFact, ActionFacts

# A report lists at most this many items (a pack is read, not searched).
LIMIT = 500


def answer(session: Session, query: ActionFacts) -> tuple[ActionFact, ...]:
    """The team's items created or closed in ``since``..``until`` or overdue at ``now``,
    oldest due first."""
    since, until, now = ensure_utc(query.since), ensure_utc(query.until), ensure_utc(query.now)
    found = session.scalars(
        select(ActionItem)
        .where(
            ActionItem.team_id == query.team.id,
            or_(
                and_(ActionItem.created_at >= since, ActionItem.created_at < until),
                and_(ActionItem.closed_at >= since, ActionItem.closed_at < until),
                and_(ActionItem.state == ActionState.OPEN.value, ActionItem.due_at < now),
            ),
        )
        .order_by(ActionItem.due_at, ActionItem.id)
        .limit(LIMIT)
    )
    return tuple(
        ActionFact(
            id=item.id,
            title=item.title,
            owner_id=item.owner_id,
            state=item.state,
            due_at=ensure_utc(item.due_at),
            created_at=ensure_utc(item.created_at),
            closed_at=ensure_utc(item.closed_at) if item.closed_at is not None else None,
            overdue=service.is_overdue(item, now),
        )
        for item in found
    )
