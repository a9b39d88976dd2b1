"""The repeat guard of ``/销项`` and ``POST /api/v1/actions``: a double tap makes one item.

The same requester giving the same owner the same item (title and due time) in the same team
within :data:`REPEAT_WINDOW` is a repeat: a double-tapped send button, a platform's retry under
a new event id. Sixteen identical ``/销项`` at once made sixteen items, each with its notice
(tester, session 20). The requester's member row is locked before the check, as the repeat
guard of 群发 does (``announcements.service.announce``, 487fe32): one requester's creations
queue there until the first commits, and read committed (PostgreSQL, MariaDB) lets the next
check see it; SQLite serialises writers anyway. A deliberate second item is asked for by ending
the command with 「确认重发」 (REST: ``"force": true``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.actions.models import ActionItem
from teamassist.clock import ensure_utc
from teamassist.exceptions import Conflict
from teamassist.team.models import Member, Team
from teamassist.team.names import gist

# Long enough for a retry or a second tap, short enough that next week's same chore is new.
REPEAT_WINDOW = timedelta(minutes=10)


def refuse_a_repeat(
    session: Session,
    *,
    team: Team,
    requester: Member,
    owner: Member,
    title: str,
    due_at: datetime,
    now: datetime,
) -> None:
    """Conflict ``actions.error.repeat`` (naming the first item) when ``requester`` gave
    ``owner`` the item ``title`` due ``due_at`` in ``team`` within :data:`REPEAT_WINDOW` before
    ``now``. Locks ``requester``'s member row first (see the module). The few recent rows are
    compared here, not the title in SQL (a TEXT column compares differently on each backend),
    by ``names.gist``: 「完成接口文档。」, 「写api文档」 and 「写\u200bAPI文档」 are the items
    「完成接口文档」 and 「写 API 文档」 retyped (tester s26 B-5), as 群发 and /进展 compare."""
    session.execute(select(Member.id).where(Member.id == requester.id).with_for_update())
    now = ensure_utc(now)
    due = ensure_utc(due_at)
    recent = session.scalars(
        select(ActionItem)
        .where(
            ActionItem.team_id == team.id,
            ActionItem.requester_id == requester.id,
            ActionItem.owner_id == owner.id,
            ActionItem.source_kind.is_(None),
            ActionItem.created_at >= now - REPEAT_WINDOW,
        )
        .order_by(ActionItem.id)
        .execution_options(populate_existing=True)
    ).all()
    said = gist(title)
    for item in recent:
        if gist(item.title) == said and ensure_utc(item.due_at) == due:
            minutes = int(REPEAT_WINDOW.total_seconds() // 60)
            raise Conflict(
                "actions.error.repeat",
                id=item.id,
                name=owner.display_name,
                minutes=minutes,
            )
