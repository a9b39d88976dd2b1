"""Record feedback and move it through its life (open, acknowledged, closed, duplicate, reopened).

Every function flushes and never commits; notices are the business of ``flows``. Reading lives in
``queries``, response times and aggregates in ``stats``, the CSV in ``export``, the desk's knobs in
``settings``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from teamassist.bidi import unmarked
from teamassist.clock import local
from teamassist.database import inserted
from teamassist.exceptions import Conflict, DomainError, Invalid, NotFound
from teamassist.feedback import repeats
from teamassist.feedback.models import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    FeedbackAction,
    FeedbackEvent,
    FeedbackItem,
    FeedbackKind,
    FeedbackStatus,
)
from teamassist.i18n import t
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.names import clean_text

MAX_TEXT = 2000
MAX_NOTE = 500


@dataclass(frozen=True)
class Origin:
    """Where a piece of feedback was written, so the reporter can be answered there."""

    platform: str = ""
    tenant_key: str = ""
    chat_key: str = ""
    chat_name: str = ""
    message_id: str | None = None


# -- recording ---------------------------------------------------------------------------------


def submit(
    session: Session,
    *,
    team: Team,
    reporter: Member | None,
    kind: FeedbackKind,
    text: str,
    origin: Origin,
    owner: Member | None,
    now: datetime,
    digest_pending: bool = False,
    reporter_name: str | None = None,
) -> FeedbackItem:
    """Record one item exactly as written (one INSERT) and return it.

    Raises ``DomainError`` for an empty or too long text, and ``Conflict``
    ``feedback.error.repeat`` (naming the first item, writing nothing) when the same reporter
    sent the same text of the same kind to ``team`` within ``repeats.REPEAT_WINDOW``
    (``feedback.repeats``); an item with no reporter is never a repeat."""
    text = unmarked(text)  # a stray RLM is no part of the text (tester s26 B-1)
    if not clean_text(text):  # spaces, zero-width or direction marks only show nothing
        raise DomainError("feedback.error.empty")
    if len(text) > MAX_TEXT:
        raise DomainError("core.error.too_long", limit=MAX_TEXT, length=len(text))
    name = reporter_name or (reporter.display_name if reporter else "")
    values = {
        "workspace_id": team.workspace_id,
        "team_id": team.id,
        "kind": kind.value,
        "text": text,
        "reporter_id": reporter.id if reporter else None,
        "reporter_name": name,
        "origin_platform": origin.platform,
        "origin_tenant_key": origin.tenant_key,
        "origin_chat_key": origin.chat_key[:200],
        "origin_chat_name": origin.chat_name[:200],
        "origin_message_id": (origin.message_id or None),
        "owner_id": owner.id if owner else None,
        "status": FeedbackStatus.OPEN.value,
        "plus_ones": 0,
        "local_date": local(now, team.timezone).date(),
        "created_at": now,
        "awaiting_since": now,
        "digest_pending": digest_pending,
        "updated_at": now,
        "repeat_key": None,
    }
    who = f"m{reporter.id}" if reporter else (f"a{reporter_name}" if reporter_name else "")
    if not who:
        return _insert(session, values)
    key, previous_key = repeats.repeat_keys(
        team_id=team.id, reporter=who, kind=kind.value, text=text, now=now
    )
    values["repeat_key"] = key
    session.flush()  # as the ORM's INSERT did first (autoflush): rows it may refer to
    item_id = repeats.insert_unless_repeat(session, values, previous_key)
    if item_id is None:
        since = now - repeats.REPEAT_WINDOW
        first = repeats.first_of(session, key, previous_key, since)
        # None only if the first writer's row went away between the two statements.
        raise repeats.refused(first if first is not None else 0)
    # The row becomes an object of the session from its values (``database.inserted``: a
    # third of the CPU of returning the entity through the ORM).
    return inserted(session, FeedbackItem, values, item_id)


def _insert(session: Session, values: dict[str, Any]) -> FeedbackItem:
    if session.get_bind().dialect.insert_returning:
        # One INSERT … RETURNING the id, built once, through Core (see ``submit``).
        session.flush()
        return inserted(
            session, FeedbackItem, values, session.execute(_INSERT_ITEM, values).scalar_one()
        )
    item = FeedbackItem(**values)
    session.add(item)
    session.flush()
    return item


_ITEMS = cast(Table, FeedbackItem.__table__)
_INSERT_ITEM = insert(_ITEMS).returning(_ITEMS.c.id)


def get(session: Session, *, workspace_id: int, item_id: int) -> FeedbackItem:
    """One item of the workspace; another workspace's id is simply not found."""
    item = session.get(FeedbackItem, item_id) if 0 < item_id < 2**31 else None
    if item is None or item.workspace_id != workspace_id:
        raise NotFound("feedback.error.not_found", id=item_id)
    return item


def _log(
    session: Session,
    item: FeedbackItem,
    action: FeedbackAction,
    *,
    actor: Member | None,
    now: datetime,
    note: str | None = None,
    detail: dict[str, Any] | None = None,
) -> FeedbackEvent:
    event = FeedbackEvent(
        item_id=item.id,
        action=action.value,
        actor_id=actor.id if actor else None,
        note=note or None,
        detail=detail,
        at=now,
    )
    session.add(event)
    item.updated_at = now
    return event


def _require_active(item: FeedbackItem) -> None:
    if item.status not in ACTIVE_STATUSES:
        raise Conflict("feedback.error.already_closed", id=item.id, status=_status_key(item.status))


def _status_key(status: str) -> str:
    return t(f"feedback.status.{status}")


def _check_note(note: str | None) -> str | None:
    if note is not None and len(note) > MAX_NOTE:
        raise DomainError("core.error.too_long", limit=MAX_NOTE, length=len(note))
    return note.strip() if note and note.strip() else None


def acknowledge(
    session: Session,
    *,
    item: FeedbackItem,
    actor: Member | None,
    now: datetime,
    note: str | None = None,
) -> FeedbackItem:
    """open → acknowledged; the first response time is taken here."""
    note = _check_note(note)
    if item.status == FeedbackStatus.ACKNOWLEDGED:
        raise Conflict("feedback.error.already_acknowledged", id=item.id)
    _require_active(item)
    item.status = FeedbackStatus.ACKNOWLEDGED.value
    item.acknowledged_at = item.acknowledged_at or now
    item.digest_pending = False
    _log(session, item, FeedbackAction.ACKNOWLEDGED, actor=actor, now=now, note=note)
    session.flush()
    return item


def close(
    session: Session,
    *,
    item: FeedbackItem,
    status: FeedbackStatus,
    actor: Member | None,
    now: datetime,
    note: str | None = None,
) -> FeedbackItem:
    """Resolve or decline (won't fix) an active item."""
    if status not in (FeedbackStatus.RESOLVED, FeedbackStatus.WONT_FIX):
        raise ValueError(f"close() does not set {status}")
    note = _check_note(note)
    _require_active(item)
    item.status = status.value
    item.acknowledged_at = item.acknowledged_at or now
    item.resolved_at = now
    item.resolution_note = note
    item.digest_pending = False
    action = (
        FeedbackAction.RESOLVED if status is FeedbackStatus.RESOLVED else (FeedbackAction.WONT_FIX)
    )
    _log(session, item, action, actor=actor, now=now, note=note)
    session.flush()
    return item


def root_of(session: Session, item: FeedbackItem) -> FeedbackItem:
    """Follow duplicate links to the original (cycles are impossible: see mark_duplicate)."""
    seen = {item.id}
    while item.duplicate_of_id is not None:
        parent = session.get(FeedbackItem, item.duplicate_of_id)
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        item = parent
    return item


def mark_duplicate(
    session: Session,
    *,
    item: FeedbackItem,
    original: FeedbackItem,
    actor: Member | None,
    now: datetime,
    note: str | None = None,
) -> FeedbackItem:
    """Close ``item`` as a duplicate of ``original``'s root, which counts the "+1".

    Raises Conflict ``feedback.error.duplicate_of_self`` (``duplicate_reversed`` when
    ``original`` is already a duplicate of ``item``), NotFound for another workspace's,
    Invalid ``feedback.error.duplicate_other_team`` for an item of another team (its people
    could not see or follow the item it would join: tester s23 F15); nothing changes then."""
    note = _check_note(note)
    _require_active(item)
    root = root_of(session, original)
    if root.id == item.id and original.id != item.id:  # original already joined item
        raise Conflict("feedback.error.duplicate_reversed", id=item.id, original=original.id)
    if root.id == item.id:
        raise Conflict("feedback.error.duplicate_of_self", id=item.id)
    if root.workspace_id != item.workspace_id:
        raise NotFound("feedback.error.not_found", id=original.id)
    if root.team_id != item.team_id or original.team_id != item.team_id:
        team = session.get(Team, item.team_id)
        raise Invalid(
            "feedback.error.duplicate_other_team",
            id=original.id,
            team=team.name if team is not None else "",
        )
    item.status = FeedbackStatus.DUPLICATE.value
    item.duplicate_of_id = root.id
    item.acknowledged_at = item.acknowledged_at or now
    item.resolved_at = now
    item.resolution_note = note
    item.digest_pending = False
    root.plus_ones += 1 + item.plus_ones
    _log(
        session,
        item,
        FeedbackAction.DUPLICATE,
        actor=actor,
        now=now,
        note=note,
        detail={"original_id": root.id},
    )
    _log(
        session,
        root,
        FeedbackAction.PLUS_ONE,
        actor=actor,
        now=now,
        detail={"duplicate_id": item.id},
    )
    session.flush()
    return item


def reopen(
    session: Session,
    *,
    item: FeedbackItem,
    actor: Member | None,
    now: datetime,
    note: str | None = None,
) -> FeedbackItem:
    """Bring a closed item back to open; the follow-up clock starts again."""
    note = _check_note(note)
    if item.status in ACTIVE_STATUSES:
        raise Conflict("feedback.error.not_closed", id=item.id)
    if item.status == FeedbackStatus.DUPLICATE and item.duplicate_of_id is not None:
        original = session.get(FeedbackItem, item.duplicate_of_id)
        if original is not None:
            original.plus_ones = max(0, original.plus_ones - 1 - item.plus_ones)
    item.status = FeedbackStatus.OPEN.value
    item.duplicate_of_id = None
    item.resolved_at = None
    item.resolution_note = None
    _restart_clock(item, now)
    _log(session, item, FeedbackAction.REOPENED, actor=actor, now=now, note=note)
    session.flush()
    return item


def assign(
    session: Session,
    *,
    item: FeedbackItem,
    owner: Member,
    actor: Member | None,
    now: datetime,
    note: str | None = None,
) -> FeedbackItem:
    """Give an active item to ``owner``; assigning the current owner again is refused, and so
    is an owner who has left (Conflict ``people.error.inactive``/``merged``: nobody would
    answer the feedback) or who is not in the item's team (Invalid
    ``feedback.error.owner_not_in_team``: they may not act on its items, the rule of
    ``/销项``'s owners; a tester's outsider was given an item and then resolved it)."""
    note = _check_note(note)
    _require_active(item)
    if owner.workspace_id != item.workspace_id:
        raise NotFound("core.error.unknown_member", who=owner.handle)
    team_service.require_active(owner)
    team = session.get(Team, item.team_id)
    if team is not None and team_service.role_of(session, team=team, member=owner) is None:
        raise Invalid("feedback.error.owner_not_in_team", name=owner.display_name, team=team.name)
    if item.owner_id == owner.id:
        raise Conflict("feedback.error.already_owner", id=item.id, name=owner.display_name)
    previous = item.owner_id
    item.owner_id = owner.id
    if item.status == FeedbackStatus.OPEN:
        _restart_clock(item, now)
    _log(
        session,
        item,
        FeedbackAction.ASSIGNED,
        actor=actor,
        now=now,
        note=note,
        detail={"owner_id": owner.id, "from_owner_id": previous},
    )
    session.flush()
    return item


def _restart_clock(item: FeedbackItem, now: datetime) -> None:
    item.awaiting_since = now
    item.renotified_at = None
    item.escalated_at = None


def record_followup(
    session: Session,
    *,
    item: FeedbackItem,
    action: FeedbackAction,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    """Mark a re-notify, an escalation or a digest delivery on the item."""
    if action is FeedbackAction.RENOTIFIED:
        item.renotified_at = now
    elif action is FeedbackAction.ESCALATED:
        item.escalated_at = now
    elif action is FeedbackAction.DIGESTED:
        item.digest_pending = False
        if item.status == FeedbackStatus.OPEN:
            _restart_clock(item, now)  # the follow-up clock starts when someone on duty has it
    _log(session, item, action, actor=None, now=now, detail=detail)
    session.flush()


__all__ = ["CLOSED_STATUSES", "FeedbackKind", "FeedbackStatus"]
