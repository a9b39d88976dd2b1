"""Action items other domains open through the :class:`teamassist.events.FollowUpNeeded`
query: the seam is a query event rather than a port because the asker (OKR's retrospective
draft) holds a session but no ports, and "nobody answered" is exactly the case where the asker
keeps its own note. Opened once per source (a second ask answers with the same item), or once
per source and owner when the asker says ``per_owner``.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.actions import messages, service
from teamassist.actions import settings as action_settings
from teamassist.actions.models import ActionItem, ActionState
from teamassist.chat import notify
from teamassist.chat.types import Reply
from teamassist.clock import parse_hhmm
from teamassist.events import FollowUpItems, FollowUpNeeded, FollowUpSourceChanged
from teamassist.i18n import t
from teamassist.team.models import Member


def open_follow_up(session: Session, query: FollowUpNeeded) -> str | None:
    """Open (or find) the follow-up item; the note naming it, or None when its owner or
    requester is unknown or has left."""
    found = select(ActionItem).where(
        ActionItem.team_id == query.team.id,
        ActionItem.source_kind == query.source_kind,
        ActionItem.source_id == query.source_id,
    )
    if query.per_owner:
        found = found.where(ActionItem.owner_id == query.owner_id)
    existing = session.scalars(found.order_by(ActionItem.id).limit(1)).first()
    if existing is None:
        owner = session.get(Member, query.owner_id)
        requester = session.get(Member, query.requester_id)
        if owner is None or requester is None or not owner.active or owner.merged_into_id:
            return None
        end: time = parse_hhmm(action_settings.of(query.team).end_of_day)
        due_at = datetime.combine(query.due, end, tzinfo=ZoneInfo(query.team.timezone))
        if query.due_at is not None:  # the asker's exact instant (an announcement's deadline)
            due_at = query.due_at
        existing = service.create(
            session,
            team=query.team,
            requester=requester,
            owner=owner,
            title=query.title,
            due_at=due_at.astimezone(UTC),
            now=query.now,
            source=service.Source(query.source_kind, query.source_id),
        )
    return t(
        "actions.follow_up",
        id=existing.id,
        title=existing.title,
        due=messages.due_text(existing.due_at, query.team),
    )


def items_of(session: Session, query: FollowUpItems) -> tuple[int, ...]:
    """The not yet closed items opened for the sources, lowest id first."""
    if not query.source_ids:
        return ()
    return tuple(
        session.scalars(
            select(ActionItem.id)
            .where(
                ActionItem.team_id == query.team.id,
                ActionItem.source_kind == query.source_kind,
                ActionItem.source_id.in_(query.source_ids),
                ActionItem.state != ActionState.CLOSED.value,
            )
            .order_by(ActionItem.id)
        )
    )


def on_source_changed(session: Session, event: FollowUpSourceChanged) -> None:
    """The items opened for a source follow it: closed when it is cancelled, due at its new
    due time when it moved (each change mirrored like any other: on Feishu the task is
    deleted, or patched). On a cancellation each owner whose items were closed is told once,
    one message listing them, unless the source says its owners never heard of it (``tell``).
    Redelivered or repeated, it changes nothing more."""
    items = session.scalars(
        select(ActionItem)
        .where(
            ActionItem.team_id == event.team.id,
            ActionItem.source_kind == event.source_kind,
            ActionItem.source_id == event.source_id,
        )
        .order_by(ActionItem.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    closed: dict[int, list[ActionItem]] = {}
    for item in items:
        if event.cancelled:
            if service.cancel_for_source(session, item=item, now=event.now):
                closed.setdefault(item.owner_id, []).append(item)
        elif event.due_at is not None:
            service.follow_source_due(session, item=item, due_at=event.due_at, now=event.now)
    for owner_id, theirs in closed.items() if event.tell else ():
        _tell_closed(session, event=event, owner_id=owner_id, items=theirs)


def _tell_closed(
    session: Session, *, event: FollowUpSourceChanged, owner_id: int, items: list[ActionItem]
) -> None:
    """One message to the owner listing the items the cancellation closed (on their direct
    platform: Feishu DM on a Feishu team, else QQ, else the dashboard inbox). Keyed on the
    source and owner, so a redelivered cancellation tells nobody twice."""
    owner = session.get(Member, owner_id)
    if owner is None:
        return
    lines = "\n".join(t("actions.cancelled_item", id=i.id, title=i.title) for i in items)
    what = event.title or t("actions.word.source")
    body = t("actions.source_cancelled", what=what, items=lines)
    notify.to_member(
        session,
        member=owner,
        reply=Reply(title=t("actions.source_cancelled_title"), body=body),
        key=f"actions.source_cancelled:{event.source_kind}:{event.source_id}",
        now=event.now,
    )
