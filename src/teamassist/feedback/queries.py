"""Read feedback: search and list for chat, REST, CSV and the board; the follow-up jobs' picks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    case,
    column,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
    type_coerce,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from teamassist.clock import ensure_utc
from teamassist.feedback.models import ACTIVE_STATUSES, FeedbackEvent, FeedbackItem, FeedbackStatus
from teamassist.team.models import Team


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


# The count shown with a page stops here ("1000+"): counting further would read the workspace.
COUNT_LIMIT = 1000
# Searches the index cannot answer (one or two characters where no trigram index serves them)
# read the newest items only, so their cost does not grow with the data.
SHORT_QUERY_WINDOW = 10_000
# A one- or two-character search on SQLite is an OR of the trigrams that start with it; beyond
# this many, it reads the window above instead.
MAX_PREFIX_TERMS = 512
# Appended to every indexed text by the SQLite triggers (migration feedback_0002).
_SENTINEL = "\x01"

_fts = table("feedback_item_fts", column("rowid", Integer))
_vocab = table("feedback_item_fts_vocab", column("term", String))


def _like_pattern(text: str) -> str:
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def _phrase(text: str) -> str:
    """``text`` as one FTS5 string: every character is text, none an operator."""
    return '"' + text.replace('"', '""') + '"'


def _newest(workspace_id: int) -> ColumnElement[bool]:
    """Among the workspace's newest :data:`SHORT_QUERY_WINDOW` items (MariaDB refuses LIMIT in
    an IN subquery, hence the lowest id of the window)."""
    window = (
        select(FeedbackItem.id)
        .where(FeedbackItem.workspace_id == workspace_id)
        .order_by(FeedbackItem.id.desc())
        .limit(SHORT_QUERY_WINDOW)
        .subquery()
    )
    return FeedbackItem.id >= select(func.min(window.c.id)).scalar_subquery()


# The query, and the column that orders it as item ids do.
Filtered = tuple[Select[FeedbackItem], ColumnElement[int] | InstrumentedAttribute[int]]


def _with_text(
    session: Session, query: Select[FeedbackItem], workspace_id: int, text: str
) -> Filtered:
    """Add "the text contains ``text``, case-insensitively", through the backend's index; with
    the column that orders the result like ``FeedbackItem.id``."""
    needle = text.replace(_SENTINEL, "")
    if not needle:
        return query, FeedbackItem.id
    like = FeedbackItem.text.ilike(_like_pattern(needle), escape="/")
    dialect = session.get_bind().dialect.name
    if dialect != "sqlite":
        # PostgreSQL: the trigram index answers ILIKE from three characters on; MariaDB scans.
        if len(needle) < 3:
            return query.where(like, _newest(workspace_id)), FeedbackItem.id
        return query.where(like), FeedbackItem.id
    if len(needle) >= 3:
        match = _phrase(needle)
    else:
        # Every character of an indexed text starts a trigram (the sentinel pads the end), so
        # the items containing ``needle`` are those holding a trigram that starts with it.
        folded = needle.lower()
        terms = session.scalars(
            select(_vocab.c.term)
            .where(_vocab.c.term >= folded, _vocab.c.term < folded + "\U0010ffff")
            .limit(MAX_PREFIX_TERMS + 1)
        ).all()
        if len(terms) > MAX_PREFIX_TERMS:
            return query.where(like, _newest(workspace_id)), FeedbackItem.id
        if not terms:
            return query.where(false()), FeedbackItem.id
        match = " OR ".join(_phrase(term) for term in terms)
    # The full-text table drives the loop, in its rowid order (= item id), so a page stops
    # after its rows. "+ 0" keeps SQLite from the other plan: run the MATCH once per item.
    joined = query.join(_fts, _fts.c.rowid + 0 == FeedbackItem.id)
    return joined.where(literal_column("feedback_item_fts").op("MATCH")(match)), _fts.c.rowid


def _filtered(session: Session, workspace_id: int, f: FeedbackFilter) -> Filtered:
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
        return _with_text(session, query, workspace_id, f.text)
    return query, FeedbackItem.id


def search(
    session: Session,
    *,
    workspace_id: int,
    filters: FeedbackFilter,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[FeedbackItem], int]:
    """Items matching ``filters``, newest first, and how many match, counted up to
    ``offset + COUNT_LIMIT + 1`` (show it with :func:`count_label`): the cost follows the page
    asked for, not the size of the workspace.

    The one search behind chat (/查找反馈), REST (``?q=``) and the board. Text matches as a
    case-insensitive substring; ``%``, ``_``, quotes and FTS operators are plain text.
    """
    query, key = _filtered(session, workspace_id, filters)
    counted = query.with_only_columns(FeedbackItem.id).limit(offset + COUNT_LIMIT + 1)
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    items = session.scalars(query.order_by(key.desc()).limit(limit).offset(offset)).all()
    return list(items), int(total)


def count_label(total: int, offset: int = 0) -> str:
    """A count from :func:`search` for people: "1000+" once it passed the bound."""
    bound = offset + COUNT_LIMIT
    return f"{bound}+" if total > bound else str(total)


def iter_all(
    session: Session, *, workspace_id: int, filters: FeedbackFilter, batch: int = 500
) -> Iterable[FeedbackItem]:
    """Every matching item, oldest first, in batches (CSV export)."""
    query, key = _filtered(session, workspace_id, filters)
    last_id = 0
    while True:
        rows = session.scalars(query.where(key > last_id).order_by(key).limit(batch)).all()
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


@dataclass(frozen=True)
class Waiting:
    """A team's open, unescalated items in brief: when the oldest began waiting, and the
    oldest not yet re-notified (None: all were)."""

    oldest: datetime
    oldest_not_renotified: datetime | None


def waiting_by_team(session: Session, *, team_ids: Sequence[int]) -> dict[int, Waiting]:
    """:class:`Waiting` of each of ``team_ids`` that has an open, unescalated item, in one
    grouped query (the follow-up sweep's pick of teams, see ``feedback.jobs``)."""
    if not team_ids:
        return {}
    not_renotified = case(
        (FeedbackItem.renotified_at.is_(None), FeedbackItem.awaiting_since), else_=None
    )
    rows = session.execute(
        select(
            FeedbackItem.team_id,
            func.min(FeedbackItem.awaiting_since),
            func.min(type_coerce(not_renotified, FeedbackItem.awaiting_since.type)),
        )
        .where(
            FeedbackItem.team_id.in_(list(team_ids)),
            FeedbackItem.status == FeedbackStatus.OPEN.value,
            FeedbackItem.escalated_at.is_(None),
        )
        .group_by(FeedbackItem.team_id)
    ).all()
    return {
        team_id: Waiting(ensure_utc(oldest), ensure_utc(fresh) if fresh is not None else None)
        for team_id, oldest, fresh in rows
    }


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
