"""Record feedback and move it through its life; list, search, export and measure it.

Every function flushes and never commits; notices are the business of ``flows``.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from teamassist.clock import local
from teamassist.exceptions import Conflict, DomainError, NotFound
from teamassist.feedback.models import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    FeedbackAction,
    FeedbackEvent,
    FeedbackItem,
    FeedbackKind,
    FeedbackStatus,
)
from teamassist.feedback.worktime import WorkHours, working_seconds
from teamassist.i18n import t
from teamassist.team.models import Member, Team

MAX_TEXT = 2000
MAX_NOTE = 500
DEFAULT_RENOTIFY_MINUTES = 30
DEFAULT_ESCALATE_MINUTES = 120


@dataclass(frozen=True)
class Origin:
    """Where a piece of feedback was written, so the reporter can be answered there."""

    platform: str = ""
    tenant_key: str = ""
    chat_key: str = ""
    chat_name: str = ""
    message_id: str | None = None


@dataclass(frozen=True)
class DeskSettings:
    """A team's feedback knobs (``team.settings["feedback"]``)."""

    default_owner: str | None = None
    renotify_minutes: int = DEFAULT_RENOTIFY_MINUTES
    escalate_minutes: int = DEFAULT_ESCALATE_MINUTES
    work_hours: WorkHours = field(default_factory=WorkHours)


def desk_settings(team: Team) -> DeskSettings:
    """Read the team's feedback settings, with defaults for anything missing."""
    raw: dict[str, Any] = (team.settings or {}).get("feedback", {}) or {}
    return DeskSettings(
        default_owner=raw.get("default_owner") or None,
        renotify_minutes=int(raw.get("renotify_minutes", DEFAULT_RENOTIFY_MINUTES)),
        escalate_minutes=int(raw.get("escalate_minutes", DEFAULT_ESCALATE_MINUTES)),
        work_hours=WorkHours.parse(raw.get("work_hours")),
    )


# -- recording ---------------------------------------------------------------------------------


def report(
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
    """Record one item exactly as written (one INSERT)."""
    if not text.strip():
        raise DomainError("feedback.error.empty")
    if len(text) > MAX_TEXT:
        raise DomainError("core.error.too_long", limit=MAX_TEXT, length=len(text))
    item = FeedbackItem(
        workspace_id=team.workspace_id,
        team_id=team.id,
        kind=kind.value,
        text=text,
        reporter_id=reporter.id if reporter else None,
        reporter_name=reporter_name or (reporter.display_name if reporter else ""),
        origin_platform=origin.platform,
        origin_tenant_key=origin.tenant_key,
        origin_chat_key=origin.chat_key[:200],
        origin_chat_name=origin.chat_name[:200],
        origin_message_id=(origin.message_id or None),
        owner_id=owner.id if owner else None,
        status=FeedbackStatus.OPEN.value,
        plus_ones=0,
        local_date=local(now, team.timezone).date(),
        created_at=now,
        awaiting_since=now,
        digest_pending=digest_pending,
        updated_at=now,
    )
    session.add(item)
    session.flush()
    return item


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
    """Close ``item`` as a duplicate of ``original``'s root, which counts the "+1"."""
    note = _check_note(note)
    _require_active(item)
    root = root_of(session, original)
    if root.id == item.id:
        raise Conflict("feedback.error.duplicate_of_self", id=item.id)
    if root.workspace_id != item.workspace_id:
        raise NotFound("feedback.error.not_found", id=original.id)
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
    """Give an active item to ``owner``; assigning the current owner again is refused."""
    note = _check_note(note)
    _require_active(item)
    if owner.workspace_id != item.workspace_id:
        raise NotFound("core.error.unknown_member", who=owner.handle)
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


# -- reading -----------------------------------------------------------------------------------


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


# -- response times ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseTimes:
    """Seconds to acknowledge and to resolve, wall-clock and working time (None: not yet)."""

    acknowledge_wall: float | None
    acknowledge_work: float | None
    resolve_wall: float | None
    resolve_work: float | None


def response_times(item: FeedbackItem, *, team: Team) -> ResponseTimes:
    """How long the desk took on ``item``; working time follows the team's calendar."""
    hours = desk_settings(team).work_hours

    def _pair(end: datetime | None) -> tuple[float | None, float | None]:
        if end is None:
            return None, None
        wall = max(0.0, (end - item.created_at).total_seconds())
        return wall, working_seconds(item.created_at, end, tz=team.timezone, hours=hours)

    ack_wall, ack_work = _pair(item.acknowledged_at)
    res_wall, res_work = _pair(item.resolved_at if item.status == FeedbackStatus.RESOLVED else None)
    return ResponseTimes(ack_wall, ack_work, res_wall, res_work)


# -- report aggregates (the dashboard's report page) ---------------------------------------------


@dataclass
class LoadRow:
    """One person's share of the desk over a period."""

    member_id: int | None
    name: str
    assigned: int = 0
    resolved: int = 0
    open: int = 0


@dataclass
class Report:
    """Items per day by kind, median response times, load per person."""

    date_from: date
    date_to: date
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)  # "2026-06-01" -> kind -> n
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    median_acknowledge_wall: float | None = None
    median_acknowledge_work: float | None = None
    median_resolve_wall: float | None = None
    median_resolve_work: float | None = None
    load: list[LoadRow] = field(default_factory=list)


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def report_aggregates(session: Session, *, team: Team, date_from: date, date_to: date) -> Report:
    """Aggregate a team's items whose local day lies in [date_from, date_to] (at most a year)."""
    if date_to < date_from or (date_to - date_from).days > 366:
        raise DomainError("feedback.error.bad_range")
    items = list(
        session.scalars(
            select(FeedbackItem).where(
                FeedbackItem.team_id == team.id,
                FeedbackItem.local_date >= date_from,
                FeedbackItem.local_date <= date_to,
            )
        )
    )
    result = Report(date_from=date_from, date_to=date_to, total=len(items))
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    ack_wall: list[float] = []
    ack_work: list[float] = []
    res_wall: list[float] = []
    res_work: list[float] = []
    owners: dict[int | None, LoadRow] = {}
    names = members_by_id(session, (i.owner_id for i in items))
    statuses: Counter[str] = Counter()
    for item in items:
        per_day[item.local_date.isoformat()][item.kind] += 1
        statuses[item.status] += 1
        times = response_times(item, team=team)
        if times.acknowledge_wall is not None and times.acknowledge_work is not None:
            ack_wall.append(times.acknowledge_wall)
            ack_work.append(times.acknowledge_work)
        if times.resolve_wall is not None and times.resolve_work is not None:
            res_wall.append(times.resolve_wall)
            res_work.append(times.resolve_work)
        owner = names.get(item.owner_id) if item.owner_id is not None else None
        row = owners.setdefault(
            item.owner_id, LoadRow(item.owner_id, owner.display_name if owner else "")
        )
        row.assigned += 1
        if item.status == FeedbackStatus.RESOLVED:
            row.resolved += 1
        elif item.status in ACTIVE_STATUSES:
            row.open += 1
    # Every day of the range, with every kind, so a chart has no gaps.
    result.per_day = {}
    day = date_from
    while day <= date_to:
        counts = per_day.get(day.isoformat(), Counter())
        result.per_day[day.isoformat()] = {k.value: counts.get(k.value, 0) for k in FeedbackKind}
        day += timedelta(days=1)
    result.by_status = dict(statuses)
    result.median_acknowledge_wall = _median(ack_wall)
    result.median_acknowledge_work = _median(ack_work)
    result.median_resolve_wall = _median(res_wall)
    result.median_resolve_work = _median(res_work)
    result.load = sorted(owners.values(), key=lambda r: (-r.assigned, r.name))
    return result


# -- CSV -----------------------------------------------------------------------------------------

CSV_COLUMNS = [
    "id",
    "team_id",
    "kind",
    "status",
    "text",
    "reporter",
    "owner",
    "created_at",
    "acknowledged_at",
    "resolved_at",
    "duplicate_of",
    "plus_ones",
    "resolution_note",
    "acknowledge_seconds",
    "acknowledge_work_seconds",
    "resolve_seconds",
    "resolve_work_seconds",
]


def _cell(value: object) -> str:
    """A CSV cell that spreadsheets will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(session: Session, *, items: Iterable[FeedbackItem], teams: dict[int, Team]) -> str:
    """Render items as CSV (UTF-8 text; the endpoint adds a BOM for spreadsheet programs)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    rows = list(items)
    people = members_by_id(session, [i.owner_id for i in rows])
    for item in rows:
        team = teams[item.team_id]
        times = response_times(item, team=team)
        owner = people.get(item.owner_id) if item.owner_id is not None else None
        writer.writerow(
            [
                _cell(v)
                for v in (
                    item.id,
                    item.team_id,
                    item.kind,
                    item.status,
                    item.text,
                    item.reporter_name,
                    owner.display_name if owner else "",
                    item.created_at.isoformat(),
                    item.acknowledged_at.isoformat() if item.acknowledged_at else "",
                    item.resolved_at.isoformat() if item.resolved_at else "",
                    item.duplicate_of_id or "",
                    item.plus_ones,
                    item.resolution_note or "",
                    _secs(times.acknowledge_wall),
                    _secs(times.acknowledge_work),
                    _secs(times.resolve_wall),
                    _secs(times.resolve_work),
                )
            ]
        )
    return buffer.getvalue()


def _secs(value: float | None) -> str:
    return "" if value is None else str(round(value))


__all__ = ["CLOSED_STATUSES", "FeedbackKind", "FeedbackStatus"]
