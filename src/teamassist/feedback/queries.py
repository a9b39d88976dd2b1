"""Read feedback: search and list for chat, REST, CSV and the board; the follow-up jobs' picks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from teamassist.feedback.models import ACTIVE_STATUSES, FeedbackEvent, FeedbackItem, FeedbackStatus
from teamassist.team.models import Member, Team


@dataclass
class FeedbackFilter:
    """Search criteria shared by chat, REST, CSV export and the dashboard board."""

    team_id: int | None = None
    status: Sequence[str] = ()
    kind: str | None = None
    owner_id: int | None = None
    reporter_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str | None = None


def _filtered(workspace_id: int, f: FeedbackFilter) -> Select[FeedbackItem]:
    query = select(FeedbackItem).where(FeedbackItem.workspace_id == workspace_id)
    if f.team_id is not None:
        query = query.where(FeedbackItem.team_id == f.team_id)
    if f.status:
        query = query.where(FeedbackItem.status.in_(list(f.status)))
    if f.kind:
        query = query.where(FeedbackItem.kind == f.kind)
    if f.owner_id is not None:
        query = query.where(FeedbackItem.owner_id == f.owner_id)
    if f.reporter_id is not None:
        query = query.where(FeedbackItem.reporter_id == f.reporter_id)
    if f.date_from is not None:
        query = query.where(FeedbackItem.local_date >= f.date_from)
    if f.date_to is not None:
        query = query.where(FeedbackItem.local_date <= f.date_to)
    if f.text:
        query = query.where(func.lower(FeedbackItem.text).contains(f.text.lower(), autoescape=True))
    return query


def search(
    session: Session,
    *,
    workspace_id: int,
    filters: FeedbackFilter,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[FeedbackItem], int]:
    """Items matching ``filters``, newest first, and how many match in all."""
    query = _filtered(workspace_id, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.order_by(FeedbackItem.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(items), int(total)


def iter_all(
    session: Session, *, workspace_id: int, filters: FeedbackFilter, batch: int = 500
) -> Iterable[FeedbackItem]:
    """Every matching item, oldest first, in batches (CSV export)."""
    last_id = 0
    while True:
        rows = session.scalars(
            _filtered(workspace_id, filters)
            .where(FeedbackItem.id > last_id)
            .order_by(FeedbackItem.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def items_of_day(session: Session, *, team: Team, day: date) -> list[FeedbackItem]:
    """A team's items of one local day, in arrival order (uses the (team, local_date) index)."""
    return list(
        session.scalars(
            select(FeedbackItem)
            .where(FeedbackItem.team_id == team.id, FeedbackItem.local_date == day)
            .order_by(FeedbackItem.id)
        )
    )


def day_lines(session: Session, *, team: Team, day: date) -> list[Any]:
    """The columns /当日反馈 shows (id, kind, text, reporter_name, status), as light rows.

    Listing a busy day this way skips building ORM objects: about ten times faster than
    :func:`items_of_day` (same index).
    """
    return list(
        session.execute(
            select(
                FeedbackItem.id,
                FeedbackItem.kind,
                FeedbackItem.text,
                FeedbackItem.reporter_name,
                FeedbackItem.status,
            )
            .where(FeedbackItem.team_id == team.id, FeedbackItem.local_date == day)
            .order_by(FeedbackItem.id)
        ).all()
    )


def active_items(session: Session, *, team: Team, status: Sequence[str] = ()) -> list[FeedbackItem]:
    """A team's open and acknowledged items (or only ``status``), oldest first."""
    wanted = list(status) or [s.value for s in ACTIVE_STATUSES]
    return list(
        session.scalars(
            select(FeedbackItem)
            .where(FeedbackItem.team_id == team.id, FeedbackItem.status.in_(wanted))
            .order_by(FeedbackItem.id)
        )
    )


def due_for_follow_up(
    session: Session, *, team: Team, now: datetime, renotify_minutes: int, escalate_minutes: int
) -> list[FeedbackItem]:
    """Open, unescalated items old enough to need a re-notice or an escalation (wall clock;
    the caller refines off-duty items by working time, which is never longer)."""
    due: list[ColumnElement[bool]] = []
    if renotify_minutes > 0:
        due.append(
            FeedbackItem.renotified_at.is_(None)
            & (FeedbackItem.awaiting_since <= now - timedelta(minutes=renotify_minutes))
        )
    if escalate_minutes > 0:
        due.append(FeedbackItem.awaiting_since <= now - timedelta(minutes=escalate_minutes))
    if not due:
        return []
    return list(
        session.scalars(
            select(FeedbackItem)
            .where(
                FeedbackItem.team_id == team.id,
                FeedbackItem.status == FeedbackStatus.OPEN.value,
                FeedbackItem.escalated_at.is_(None),
                or_(*due),
            )
            .order_by(FeedbackItem.id)
        )
    )


def pending_digest(session: Session, *, team: Team) -> list[FeedbackItem]:
    """Active items that arrived while nobody was on duty and wait for a sign-in."""
    return [i for i in active_items(session, team=team) if i.digest_pending]


def history(session: Session, *, item: FeedbackItem) -> list[FeedbackEvent]:
    """The item's steps, oldest first; the arrival itself is the item's ``created_at``."""
    return list(
        session.scalars(
            select(FeedbackEvent)
            .where(FeedbackEvent.item_id == item.id)
            .order_by(FeedbackEvent.at, FeedbackEvent.id)
        )
    )


def members_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, Member]:
    """Load the members behind ``ids`` in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(wanted)))}
