"""REST shapes of the action-item desk: requests with their bounds, and read shapes with their
mappers. Times are ISO 8601 in UTC (``due_at``) with the team-local text beside them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

from teamassist.actions import messages
from teamassist.actions.models import ActionEvent, ActionItem
from teamassist.actions.service import MAX_REASON, MAX_TITLE, SOURCE_KINDS, is_overdue
from teamassist.chat.types import plain_text
from teamassist.http.fields import Id, RequestBody
from teamassist.team.models import Team

SourceKind = Literal[
    "okr_kr",
    "okr_objective",
    "meeting",
    "one_on_one",
    "announcement",
    "report_note",
    "career_plan",
]
assert set(get_args(SourceKind)) == SOURCE_KINDS  # one list: the service's

# A due time as chat takes it (``2026-12-04``, ``12月4日``, ``2026-12-04 17:30``,
# ``202612041730``) or ISO 8601 (``2026-12-04T17:30:00+08:00``; without an offset: team-local).
DUE_EXAMPLE = "2026-12-04 17:30"


class ActionCreate(RequestBody):
    """A new item: the owner's handle, what, by when, and optionally where it came from
    (``source_kind`` + ``source_id``, e.g. ``okr_kr`` and a KR's id)."""

    owner: str = Field(min_length=1, max_length=64, examples=["lisi"])
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    due: str = Field(min_length=1, max_length=40, examples=[DUE_EXAMPLE])
    source_kind: SourceKind | None = None
    source_id: Id | None = None
    # The same owner, title and due time from the same caller within 10 minutes is refused
    # (409, a double tap) unless this is set: a second item is really wanted.
    force: bool = False


class ActionReason(RequestBody):
    """An optional reason (sending an item back)."""

    reason: str = Field(default="", max_length=MAX_REASON)


class ActionExtend(RequestBody):
    """A later due time and why (延期)."""

    due: str = Field(min_length=1, max_length=40, examples=[DUE_EXAMPLE])
    reason: str = Field(min_length=1, max_length=MAX_REASON)


class ActionReassign(RequestBody):
    """The new owner's handle (转交), and optionally why."""

    owner: str = Field(min_length=1, max_length=64, examples=["wangwu"])
    reason: str = Field(default="", max_length=MAX_REASON)


class ActionEventRead(BaseModel):
    """One change: ``kind`` (created, done, closed, reopened, extended, escalated,
    reassigned), who (None: the assistant), when, and its details."""

    kind: str
    actor_id: int | None
    actor: str | None
    at: datetime
    detail: dict[str, Any] | None


class ActionRead(BaseModel):
    """One item; ``overdue`` is open and past ``due_at``; ``history`` only on a single item."""

    id: int
    team_id: int
    title: str
    state: str
    overdue: bool
    owner_id: int | None
    owner: str | None
    requester_id: int | None
    requester: str | None
    due_at: datetime
    due_local: str
    source_kind: str | None
    source_id: int | None
    created_at: datetime
    done_at: datetime | None
    closed_at: datetime | None
    escalated_at: datetime | None
    history: list[ActionEventRead] | None = None
    # what the caller should know (the chat reply's 「注意：…」 lines): the due day is a day off
    # (create, extend); the owner is set to leave before it is due (create, reassign)
    warnings: list[str] = Field(default_factory=list)


class AgeingRead(BaseModel):
    """Items not yet closed by age bucket (``buckets``: days since opened, with ``on_time`` and
    ``overdue`` counts), and ``overdue_by_day``: items overdue at the end of each of ``days``
    (team-local ISO dates, the last one today, counted now)."""

    buckets: list[str]
    on_time: list[int]
    overdue: list[int]
    days: list[str]
    overdue_by_day: list[int]


class ActionList(BaseModel):
    """Items, oldest due first (at most ``limit``)."""

    items: list[ActionRead]
    count: int


def action_read(
    item: ActionItem,
    team: Team,
    names: Mapping[int, str],
    now: datetime,
    history: Sequence[ActionEvent] | None = None,
) -> ActionRead:
    """The read shape of ``item`` (``names``: member id → display name)."""
    return ActionRead(
        id=item.id,
        team_id=item.team_id,
        title=plain_text(item.title),
        state=item.state,
        overdue=is_overdue(item, now),
        owner_id=item.owner_id,
        owner=names.get(item.owner_id) if item.owner_id else None,
        requester_id=item.requester_id,
        requester=names.get(item.requester_id) if item.requester_id else None,
        due_at=item.due_at,
        due_local=messages.due_text(item.due_at, team),
        source_kind=item.source_kind,
        source_id=item.source_id,
        created_at=item.created_at,
        done_at=item.done_at,
        closed_at=item.closed_at,
        escalated_at=item.escalated_at,
        history=None
        if history is None
        else [
            ActionEventRead(
                kind=e.kind,
                actor_id=e.actor_id,
                actor=names.get(e.actor_id) if e.actor_id else None,
                at=e.at,
                detail=e.detail,
            )
            for e in history
        ],
    )
