"""Action items: create, finish, check, reopen, extend, list. Chat commands, REST and other
domains (through :class:`teamassist.ports.ActionItems`) call these functions; none commits.

Rules: only the owner marks an item done; only the requester (or an admin of the team, or the
team's director) confirms (closes) or reopens it, and only once it is done; the owner, the
requester or an admin/director extends an item that is not closed, with a reason. A refused
change raises a ``DomainError`` and changes nothing. Every change is one
:class:`~teamassist.actions.models.ActionEvent` row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from teamassist.actions.models import ActionChange, ActionEvent, ActionItem, ActionState
from teamassist.bidi import unmarked
from teamassist.clock import beyond_horizon, ensure_utc, local, plan_horizon
from teamassist.events import ActionItemChanged, publish
from teamassist.exceptions import Conflict, Invalid, NotFound, PermissionDenied
from teamassist.i18n import t
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team, TeamMembership
from teamassist.team.names import clean_text

MAX_TITLE = 500
MAX_REASON = 500
SOURCE_KINDS = frozenset(
    {
        "okr_kr",
        "okr_objective",
        "meeting",
        "one_on_one",
        "announcement",
        "report_note",
        "career_plan",
    }
)


@dataclass(frozen=True)
class Source:
    """Where an item came from: a kind (one of :data:`SOURCE_KINDS`) and that thing's id."""

    kind: str
    id: int


def _record(
    session: Session,
    item: ActionItem,
    kind: ActionChange,
    *,
    actor: Member | None,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        ActionEvent(
            item_id=item.id,
            actor_id=actor.id if actor is not None else None,
            kind=kind.value,
            at=ensure_utc(now),
            detail=detail,
        )
    )
    if kind is not ActionChange.ESCALATED:  # the rest change what a mirrored task shows
        publish(session, ActionItemChanged(item_id=item.id, now=ensure_utc(now)))


def _text(value: str, *, limit: int, empty: str) -> str:
    text = " ".join(unmarked(value).split())  # a stray RLM is no part of it (tester s26 B-1)
    if not clean_text(text):  # only zero-width or control characters shows nothing either
        raise Invalid(empty)
    if len(text) > limit:
        raise Invalid("actions.error.too_long", limit=limit, length=len(text))
    return text


def _check_horizon(due: datetime, now: datetime, zone: str) -> None:
    """Invalid ``actions.error.due_too_far`` for a due time after the plan horizon
    (:func:`~teamassist.clock.plan_horizon`), as 截止 and /停用成员 refuse one: a tester's
    ``/销项 … 明年12月4日`` was accepted (session 13)."""
    if beyond_horizon(due, now, zone):
        raise Invalid(
            "actions.error.due_too_far",
            due=_local_text(due, zone),
            latest=plan_horizon(now, zone).isoformat(),
        )


def create(
    session: Session,
    *,
    team: Team,
    requester: Member,
    owner: Member,
    title: str,
    due_at: datetime,
    now: datetime,
    source: Source | None = None,
) -> ActionItem:
    """A new open item of ``team``; raises ``Invalid`` for an empty or too long title, a due
    time already past, an unknown source kind, and ``Conflict`` for an owner who has left."""
    text = _text(title, limit=MAX_TITLE, empty="actions.error.no_title")
    if team_service.has_left(owner):
        raise Conflict("actions.error.owner_left", name=owner.display_name)
    if owner.workspace_id != team.workspace_id:
        raise NotFound("actions.error.no_member")
    due = ensure_utc(due_at)
    if due <= ensure_utc(now):
        raise Invalid("actions.error.due_past", due=_local_text(due, team.timezone))
    if source is None:  # by hand; an asking domain keeps to its own horizon
        _check_horizon(due, now, team.timezone)
    if source is not None and source.kind not in SOURCE_KINDS:
        raise Invalid("actions.error.bad_source", kind=source.kind[:32])
    item = ActionItem(
        workspace_id=team.workspace_id,
        team_id=team.id,
        title=text,
        owner_id=owner.id,
        requester_id=requester.id,
        due_at=due,
        state=ActionState.OPEN.value,
        source_kind=source.kind if source else None,
        source_id=source.id if source else None,
        created_at=ensure_utc(now),
        updated_at=ensure_utc(now),
    )
    session.add(item)
    session.flush()
    _record(
        session, item, ActionChange.CREATED, actor=requester, now=now, detail={"due": _iso(due)}
    )
    session.flush()
    return item


def _iso(value: datetime) -> str:
    return ensure_utc(value).isoformat()


def _local_text(value: datetime, zone: str) -> str:
    return local(value, zone).strftime("%Y-%m-%d %H:%M")


def get(session: Session, *, team: Team, item_id: int, lock: bool = False) -> ActionItem:
    """The team's item ``item_id`` (locked for update when ``lock``); raises ``NotFound``."""
    query = select(ActionItem).where(ActionItem.id == item_id, ActionItem.team_id == team.id)
    if lock:
        # once the lock is ours, the row as committed, not a copy this session read before it
        query = query.with_for_update().execution_options(populate_existing=True)
    item = session.scalar(query)
    if item is None:
        raise NotFound("actions.error.not_found", id=item_id)
    return item


def get_for(
    session: Session,
    *,
    workspace_id: int,
    member: Member,
    item_id: int,
    also_team_id: int | None = None,
    lock: bool = False,
) -> ActionItem:
    """Item ``item_id`` as ``member`` reaches it from any chat of theirs: one they own or asked
    for, or of a team they are in (or ``also_team_id``, the team of the chat spoken in, as
    :func:`get` finds it); ``NotFound`` else, so nobody learns another team's numbers. A DM
    lands in the member's first team, and the owner of a second team's item was told
    「发送 /完成销项 66」 and then could not find it (tester s18 F25)."""
    teams = select(TeamMembership.team_id).where(TeamMembership.member_id == member.id)
    reach = [
        ActionItem.owner_id == member.id,
        ActionItem.requester_id == member.id,
        ActionItem.team_id.in_(teams),
    ]
    if also_team_id is not None:
        reach.append(ActionItem.team_id == also_team_id)
    query = select(ActionItem).where(
        ActionItem.id == item_id, ActionItem.workspace_id == workspace_id, or_(*reach)
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    item = session.scalar(query)
    if item is None:
        raise NotFound("actions.error.not_found", id=item_id)
    return item


def check_owner_in_team(
    session: Session, *, team: Team, owner: Member, key: str = "actions.error.owner_not_in_team"
) -> None:
    """``Invalid`` unless ``owner`` is in ``team``: an item belongs to one team and is done by
    one of its people, who then see it in that team's lists, reminders and digests. /销项 once
    gave team 1's 张三 an item of 第二团队 he was told about and could not see (tester s18
    F25); a person of two teams is asked in the team the item is for."""
    if team_service.role_of(session, team=team, member=owner) is None:
        raise Invalid(key, name=owner.display_name, team=team.name)


def require_reader(session: Session, *, team: Team, member: Member | None) -> None:
    """PermissionDenied ``core.error.not_in_team`` (你不在「…」里, as every team's route says;
    tester s25 F-B8: "需要有权限的人" told nobody why) unless ``member`` is in ``team`` (None, the
    workspace owner, always reads): who reads a team's items, REST's member gate and the
    ``/actions`` page alike. The page showed another team's list to anyone signed in (its
    ``?team=`` chose freely) while REST answered 403 (testers s18-19). The team's director
    reads them too, from a parent team as well: overdue items are escalated to them."""
    if member is not None and member.id == team.director_id:
        return
    team_service.require_in_team(session, team=team, member=member, key="core.error.not_in_team")


def may_check(team: Team, item: ActionItem, actor: Member, *, admin: bool) -> bool:
    """Whether ``actor`` may confirm, reopen or reassign ``item``: its requester, an admin,
    the director."""
    return admin or actor.id == item.requester_id or actor.id == team.director_id


def _move(
    session: Session,
    item: ActionItem,
    to: ActionState,
    change: ActionChange,
    *,
    actor: Member | None,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> ActionItem:
    """Put ``item`` in state ``to`` and record the change: the one shape of every transition
    (``done_at`` is set by done and cleared by a reopen; ``closed_at`` set by a close)."""
    at = ensure_utc(now)
    item.state = to.value
    if to is ActionState.DONE:
        item.done_at = at
    elif to is ActionState.OPEN:
        item.done_at = None
        item.closed_at = None  # an item closed for a leaver opens again on their return
    else:
        item.closed_at = at
    item.updated_at = at
    _record(session, item, change, actor=actor, now=now, detail=detail)
    session.flush()
    return item


def _check_done(team: Team, item: ActionItem, actor: Member, *, admin: bool) -> None:
    """A confirm or reopen: by the requester (or an admin/director), of a done item."""
    if not may_check(team, item, actor, admin=admin):
        raise PermissionDenied("actions.error.not_requester", id=item.id)
    if item.state == ActionState.CLOSED.value:
        raise Conflict("actions.error.already_closed", id=item.id)
    if item.state != ActionState.DONE.value:
        raise Conflict("actions.error.not_done", id=item.id)


def mark_done(session: Session, *, item: ActionItem, actor: Member, now: datetime) -> ActionItem:
    """The owner says it is done: open → done (the requester is asked to check)."""
    if actor.id != item.owner_id:
        raise PermissionDenied("actions.error.not_owner", id=item.id)
    if item.state == ActionState.DONE.value:
        raise Conflict("actions.error.already_done", id=item.id)
    if item.state == ActionState.CLOSED.value:
        raise Conflict("actions.error.already_closed", id=item.id)
    return _move(session, item, ActionState.DONE, ActionChange.DONE, actor=actor, now=now)


def confirm(
    session: Session, *, team: Team, item: ActionItem, actor: Member, admin: bool, now: datetime
) -> ActionItem:
    """The requester (or an admin/director) checks it: done → closed."""
    _check_done(team, item, actor, admin=admin)
    return _move(session, item, ActionState.CLOSED, ActionChange.CLOSED, actor=actor, now=now)


def reopen(
    session: Session,
    *,
    team: Team,
    item: ActionItem,
    actor: Member,
    admin: bool,
    now: datetime,
    reason: str | None = None,
) -> ActionItem:
    """The requester (or an admin/director) sends it back: done → open."""
    _check_done(team, item, actor, admin=admin)
    note = _text(reason, limit=MAX_REASON, empty="actions.error.no_reason") if reason else None
    detail = {"reason": note or ""}
    return _move(
        session, item, ActionState.OPEN, ActionChange.REOPENED, actor=actor, now=now, detail=detail
    )


def undo_done(session: Session, *, item: ActionItem, now: datetime, via: str) -> bool:
    """The owner takes back their "done" before it was checked: done → open, recorded as a
    reopen by the owner with ``{"reason": "", "via": via}`` (``"task"``: a mirrored platform
    task was un-completed). Returns False, changing nothing, unless the item is done."""
    if item.state != ActionState.DONE.value:
        return False
    owner = session.get(Member, item.owner_id)
    detail = {"reason": "", "via": via}
    _move(
        session, item, ActionState.OPEN, ActionChange.REOPENED, actor=owner, now=now, detail=detail
    )
    return True


def reassign(
    session: Session,
    *,
    team: Team,
    item: ActionItem,
    actor: Member | None,
    admin: bool,
    owner: Member,
    now: datetime,
    reason: str | None = None,
) -> ActionItem:
    """转交: ``owner`` takes the item over, history kept (``{"from": id, "to": id, "reason"}``).
    The requester, an admin or the director may; ``actor`` None is the assistant itself (the
    owner left). Raises ``Conflict`` once closed, for a new owner who has left or is already
    the owner, ``NotFound`` for one of another workspace, ``PermissionDenied`` for others."""
    if actor is not None and not may_check(team, item, actor, admin=admin):
        raise PermissionDenied("actions.error.not_reassigner", id=item.id)
    if item.state == ActionState.CLOSED.value:
        raise Conflict("actions.error.already_closed", id=item.id)
    if owner.workspace_id != team.workspace_id:
        raise NotFound("actions.error.no_member")
    if team_service.has_left(owner):
        raise Conflict("actions.error.owner_left", name=owner.display_name)
    if owner.id == item.owner_id:
        raise Conflict("actions.error.same_owner", id=item.id, name=owner.display_name)
    note = _text(reason, limit=MAX_REASON, empty="actions.error.no_reason") if reason else ""
    before = item.owner_id
    item.owner_id = owner.id
    item.updated_at = ensure_utc(now)
    _record(
        session,
        item,
        ActionChange.REASSIGNED,
        actor=actor,
        now=now,
        detail={"from": before, "to": owner.id, "reason": note},
    )
    session.flush()
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
) -> ActionItem:
    """延期: a new due time with a reason (both kept in the history). The owner, the requester
    or an admin/director may; not once closed; the new time must be later than now and later
    than the current due time (``Invalid`` ``actions.error.not_later`` else).

    ``origin`` is the platform message id of the card pressed (None when typed): a card
    extends an item once (``Conflict`` ``actions.error.card_used`` for a second press, an old
    card or a redelivery). Callers hold the item's row lock (``get(lock=True)``), so two presses
    at once see each other's extension."""
    check_extendable(team, item, actor, admin=admin)
    if origin is not None and _extended_from(session, item, origin):
        raise Conflict(
            "actions.error.card_used", id=item.id, due=_local_text(item.due_at, team.timezone)
        )
    text = _text(reason, limit=MAX_REASON, empty="actions.error.no_reason")
    due = ensure_utc(due_at)
    if due <= ensure_utc(now):
        raise Invalid("actions.error.due_past", due=_local_text(due, team.timezone))
    _check_horizon(due, now, team.timezone)
    if due <= ensure_utc(item.due_at):
        # An extension moves the due time later; an earlier one is a new item or a typo.
        raise Invalid(
            "actions.error.not_later",
            due=_local_text(due, team.timezone),
            current=_local_text(item.due_at, team.timezone),
        )
    before = ensure_utc(item.due_at)
    item.due_at = due
    item.updated_at = ensure_utc(now)
    _record(
        session,
        item,
        ActionChange.EXTENDED,
        actor=actor,
        now=now,
        detail={
            "from": _iso(before),
            "to": _iso(due),
            "reason": text,
            **({"origin": origin[:128]} if origin else {}),
        },
    )
    session.flush()
    return item


def follow_source_due(
    session: Session, *, item: ActionItem, due_at: datetime, now: datetime
) -> bool:
    """The thing ``item`` follows up moved: an item not closed takes its new due time
    ``due_at`` (earlier or later; recorded as an extension by nobody, ``{"from", "to",
    "source": True}``). One done and awaiting its requester's check moves too: sent back,
    it would otherwise be due at the old, maybe past, time (tester F16, session 19).
    False (nothing changed) for a closed item or one already due then."""
    due = ensure_utc(due_at)
    if item.state == ActionState.CLOSED.value or ensure_utc(item.due_at) == due:
        return False
    before = ensure_utc(item.due_at)
    item.due_at = due
    item.updated_at = ensure_utc(now)
    detail = {"from": _iso(before), "to": _iso(due), "reason": "", "source": True}
    _record(session, item, ActionChange.EXTENDED, actor=None, now=now, detail=detail)
    session.flush()
    return True


# The history details of a close because the followed-up source was cancelled, and of one
# because the owner left and only they could do the item.
CANCELLED_DETAIL = "source_cancelled"
OWNER_LEFT_DETAIL = "owner_left"


def cancel_for_source(
    session: Session, *, item: ActionItem, now: datetime, owner_left: bool = False
) -> bool:
    """The thing ``item`` follows up was cancelled: close it, by nobody, recorded with
    ``{CANCELLED_DETAIL: True}`` (a mirrored platform task is then deleted, not completed).
    ``owner_left``: it closes because its owner left and only they could do it (their own
    career plan); recorded too (``OWNER_LEFT_DETAIL``), so their return opens it again
    (:func:`reopen_for_returning_owner`). False for an item closed already, and for one its
    owner has done (the work happened: it stays done for its requester's check, and its
    completed Feishu task is kept)."""
    if item.state in (ActionState.CLOSED.value, ActionState.DONE.value):
        return False
    detail = (
        {CANCELLED_DETAIL: True, OWNER_LEFT_DETAIL: True}
        if owner_left
        else {CANCELLED_DETAIL: True}
    )
    closed = ActionState.CLOSED
    _move(session, item, closed, ActionChange.CLOSED, actor=None, now=now, detail=detail)
    return True


def _last_detail(session: Session, item: ActionItem) -> dict[str, Any] | None:
    detail: dict[str, Any] | None = session.scalar(
        select(ActionEvent.detail)
        .where(ActionEvent.item_id == item.id)
        .order_by(ActionEvent.id.desc())
        .limit(1)
    )
    return detail


def closed_as_cancelled(session: Session, item: ActionItem) -> bool:
    """Whether ``item`` was closed because its source was cancelled (its last change)."""
    if item.state != ActionState.CLOSED.value:
        return False
    detail = _last_detail(session, item)
    return bool(detail and detail.get(CANCELLED_DETAIL))


def reopen_for_returning_owner(session: Session, *, item: ActionItem, now: datetime) -> bool:
    """Its owner is back (``/启用成员``) and ``item`` was closed, as its last change, because
    they left and only they could do it (:func:`cancel_for_source` with ``owner_left``): open
    it again, by nobody, recorded as a reopen with ``{"reason": <the catalogue's "owner is
    back">, OWNER_LEFT_DETAIL: False}``; its due time is kept. A mirrored platform task, deleted
    at the close, is made anew. False, changing nothing, for any other item."""
    if item.state != ActionState.CLOSED.value:
        return False
    detail = _last_detail(session, item)
    if not (detail and detail.get(OWNER_LEFT_DETAIL)):
        return False
    again = {"reason": t("actions.word.owner_back"), OWNER_LEFT_DETAIL: False}
    _move(session, item, ActionState.OPEN, ActionChange.REOPENED, actor=None, now=now, detail=again)
    return True


def check_extendable(team: Team, item: ActionItem, actor: Member, *, admin: bool) -> None:
    """Raise unless ``actor`` may extend ``item`` now: ``PermissionDenied``
    ``actions.error.not_party`` (not its owner, requester, an admin or the director),
    ``Conflict`` ``actions.error.already_closed``."""
    if actor.id != item.owner_id and not may_check(team, item, actor, admin=admin):
        raise PermissionDenied("actions.error.not_party", id=item.id)
    if item.state == ActionState.CLOSED.value:
        raise Conflict("actions.error.already_closed", id=item.id)


def _extended_from(session: Session, item: ActionItem, origin: str) -> bool:
    """Whether an extension of ``item`` was already made from the card ``origin``."""
    # A locking read: under MariaDB's default REPEATABLE READ a plain one would still show the
    # snapshot from before the item lock was granted, missing the other press's extension.
    details = session.scalars(
        select(ActionEvent.detail)
        .where(ActionEvent.item_id == item.id, ActionEvent.kind == ActionChange.EXTENDED.value)
        .with_for_update()
    )
    return any(isinstance(d, dict) and d.get("origin") == origin[:128] for d in details)


def is_overdue(item: ActionItem, now: datetime) -> bool:
    """Open and past its due time (a done item waits on the requester, not the owner)."""
    return item.state == ActionState.OPEN.value and ensure_utc(item.due_at) < ensure_utc(now)


def listing(
    session: Session,
    *,
    team: Team | None,
    now: datetime,
    workspace_id: int | None = None,
    owner_id: int | None = None,
    requester_id: int | None = None,
    states: Sequence[ActionState] = (),
    overdue: bool | None = None,
    source: Source | None = None,
    source_kind: str | None = None,
    limit: int = 200,
) -> list[ActionItem]:
    """The team's items, oldest due first, filtered by owner, requester, states, whether
    overdue (True: open and past due; False: everything else), one source (kind and id) or a
    source kind; at most ``limit``. ``team`` None: every team of ``workspace_id`` (a person's
    own items, wherever they belong)."""
    if team is not None:
        query = select(ActionItem).where(ActionItem.team_id == team.id)
    else:
        assert workspace_id is not None, "a listing of every team names the workspace"
        query = select(ActionItem).where(ActionItem.workspace_id == workspace_id)
    if owner_id is not None:
        query = query.where(ActionItem.owner_id == owner_id)
    if requester_id is not None:
        query = query.where(ActionItem.requester_id == requester_id)
    if states:
        query = query.where(ActionItem.state.in_([s.value for s in states]))
    if source is not None:
        query = query.where(
            ActionItem.source_kind == source.kind, ActionItem.source_id == source.id
        )
    elif source_kind is not None:
        query = query.where(ActionItem.source_kind == source_kind)
    if overdue is True:
        query = query.where(
            ActionItem.state == ActionState.OPEN.value, ActionItem.due_at < ensure_utc(now)
        )
    elif overdue is False:
        query = query.where(
            (ActionItem.state != ActionState.OPEN.value) | (ActionItem.due_at >= ensure_utc(now))
        )
    return list(session.scalars(query.order_by(ActionItem.due_at, ActionItem.id).limit(limit)))


def history(session: Session, item: ActionItem) -> list[ActionEvent]:
    """Every change of ``item``, oldest first."""
    return list(
        session.scalars(
            select(ActionEvent)
            .where(ActionEvent.item_id == item.id)
            .order_by(ActionEvent.at, ActionEvent.id)
        )
    )


def mark_escalated(session: Session, *, item: ActionItem, now: datetime) -> None:
    """Record the one escalation of ``item`` to the director's digest."""
    item.escalated_at = ensure_utc(now)
    _record(session, item, ActionChange.ESCALATED, actor=None, now=now)
