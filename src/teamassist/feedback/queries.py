"""Read feedback: search and list for chat, REST, CSV and the board; the follow-up jobs' picks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    column,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    type_coerce,
    union_all,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import InstrumentedAttribute, Session

from teamassist.clock import ensure_utc
from teamassist.feedback import grams
from teamassist.feedback.models import ACTIVE_STATUSES, FeedbackEvent, FeedbackItem, FeedbackStatus
from teamassist.team.models import Team


@dataclass(frozen=True)
class Scope:
    """What one viewer may list (``access.can_view`` for many items at once): every item of
    the teams whose desk they work (``desk_team_ids``), and anywhere the items they reported
    or own. A listing that knew only "on some team's desk" showed a second team's admin every
    team's items and reporters (tester s18b F6)."""

    member_id: int
    desk_team_ids: frozenset[int] = frozenset()


@dataclass
class FeedbackFilter:
    """Search criteria shared by chat, REST, CSV export and the dashboard board; ``scope``
    None is the whole workspace (its owner, the API token)."""

    team_id: int | None = None
    status: Sequence[str] = ()
    kind: str | None = None
    owner_id: int | None = None
    reporter_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str | None = None
    scope: Scope | None = None


# The count shown with a page stops here ("1000+"): counting further would read the workspace.
COUNT_LIMIT = 1000
# Searches no index answers (one character on PostgreSQL and MariaDB, two on PostgreSQL; on
# SQLite past MAX_PREFIX_TERMS; any text on MySQL proper) read only the newest this many items
# matching the other filters, so their cost does not grow with the data. The reply says so.
SHORT_QUERY_WINDOW = 10_000
# Each part of a query longer than one part (MariaDB's bigrams, SQLite's and PostgreSQL's
# trigrams) is counted up to this many index entries, in one bounded statement. MariaDB drives
# from the rarest. When even the rarest reaches it, every part is common: the index would
# intersect lists that grow with the data (a phrase of frequent words that never occurs whole
# read every candidate: SQLite 0.2 s, PostgreSQL 0.24 s, MariaDB 2.8 s at 10^6), so such a
# query reads the newest
# SHORT_QUERY_WINDOW items through the index instead, and the reply tells the bound when the
# window may have missed matches. Twice COUNT_LIMIT: a phrase as frequent as its parts (one
# item in 1,000 at 10^6) stays on the whole index.
GRAM_PROBE = 2_000
# ... and the rarest this many are used: the first drives, newest first, the others are
# primary-key look-ups that drop candidates before their rows are read.
GRAMS_USED = 3
# A long query probes this many of its grams, spread over its length.
MAX_PROBED_GRAMS = 16
# PostgreSQL estimates how common a query's pieces are from this many of the newest items.
PIECE_SAMPLE = 1_000
# A one- or two-character search on SQLite is an OR of the trigrams that start with it; beyond
# this many, it reads the window above instead.
MAX_PREFIX_TERMS = 512
# Appended to every indexed text by the SQLite triggers (migration feedback_0002).
_SENTINEL = "\x01"

_fts = table("feedback_item_fts", column("rowid", Integer))
# The distinct terms of the full-text index in [:low, :high), at most :most of them, one
# seek each (a skip scan): the 'instance' vocabulary (migration feedback_0004) yields a term's
# first occurrence at once and ``term || char(0)`` seeks past the others, where the 'row'
# vocabulary counted every occurrence of each term first (a frequent word: all of its items,
# 200,000 at 10^6, so a two-character search grew with the data).
_TERMS_BETWEEN = sql_text("""
WITH RECURSIVE found(term) AS (
    SELECT (SELECT term FROM feedback_item_fts_instance
            WHERE term >= :low AND term < :high LIMIT 1)
    UNION ALL
    SELECT (SELECT term FROM feedback_item_fts_instance
            WHERE term >= found.term || char(0) AND term < :high LIMIT 1)
    FROM found WHERE found.term IS NOT NULL LIMIT :most
)
SELECT term FROM found WHERE term IS NOT NULL
""")


# How often one term occurs in the full-text index, counted up to :most (a bounded seek and
# walk of the 'instance' vocabulary, feedback_0004).
_TERM_PROBE = sql_text(
    "SELECT count(*) FROM (SELECT 1 FROM feedback_item_fts_instance WHERE term = :term LIMIT :most)"
)


def _like_pattern(text: str) -> str:
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def _phrase(text: str) -> str:
    """``text`` as one FTS5 string: every character is text, none an operator."""
    return '"' + text.replace('"', '""') + '"'


# Why only a window of the newest items was searched (``Found.window_reason``): the text is
# too short for the backend's index, or every part of it is common (see GRAM_PROBE).
WindowReason = Literal["short", "common"]


@dataclass(frozen=True)
class _Plan:
    """A filtered query, the column that orders it as item ids do, and how many of the
    workspace's newest items it may read (None: all) and why."""

    query: Select[FeedbackItem]
    key: ColumnElement[int] | InstrumentedAttribute[int]
    window: int | None = None
    reason: WindowReason = "short"


def _spread(parts: Sequence[Any]) -> list[Any]:
    """At most MAX_PROBED_GRAMS of ``parts``, spread over the query's length."""
    if len(parts) <= MAX_PROBED_GRAMS:
        return list(parts)
    step = len(parts) / MAX_PROBED_GRAMS
    return [parts[int(i * step)] for i in range(MAX_PROBED_GRAMS)]


def _with_grams(
    session: Session,
    query: Select[FeedbackItem],
    workspace_id: int,
    needle: str,
    windowable: Callable[[], bool],
) -> _Plan:
    """MariaDB: candidates from the n-gram table (``feedback.grams``), the rarest gram driving
    newest first, each verified by the exact LIKE test (no false hits). Cost: the index
    entries of the rarest used gram up to the page (or up to the count bound), whatever the
    workspace's size. A query of more than one gram whose every gram is common (GRAM_PROBE)
    may match rarely: it would read all of the driver's entries, so it reads only the
    window's (plan reason "common")."""
    like = FeedbackItem.text.ilike(_like_pattern(needle), escape="/")
    # The database folds case, as its triggers did for the stored grams.
    lowered = session.scalar(select(func.lower(needle))) or ""
    wanted = grams.grams_of(lowered)
    if not wanted:  # the database folded it to one character: nothing to look up
        return _Plan(query.where(like), FeedbackItem.id, SHORT_QUERY_WINDOW)
    wanted = _spread(wanted)
    t = grams.grams_table
    probes = [
        select(literal(n), func.count()).select_from(
            select(literal(1))
            .where(t.c.workspace_id == workspace_id, t.c.gram == gram)
            .limit(GRAM_PROBE)
            .subquery()
        )
        for n, gram in enumerate(wanted)
    ]
    counts = session.execute(union_all(*probes)).all()
    if any(count == 0 for _n, count in counts):
        return _Plan(query.where(false()), FeedbackItem.id)
    rarest = [wanted[n] for n, _count in sorted(counts, key=lambda r: (r[1], r[0]))]
    used = [t.alias(f"g{n}") for n in range(min(GRAMS_USED, len(rarest)))]
    driver = used[0]
    # Joined in this order (STRAIGHT_JOIN): the driver's entries, newest first, then the other
    # grams by primary key, then the item's row. Each (workspace, gram, item) is unique, so
    # the joins never repeat an item.
    joined = query.select_from(driver).where(
        driver.c.workspace_id == workspace_id, driver.c.gram == rarest[0]
    )
    for alias, gram in zip(used[1:], rarest[1:], strict=False):
        joined = joined.join(
            alias,
            and_(
                alias.c.workspace_id == workspace_id,
                alias.c.gram == gram,
                alias.c.item_id == driver.c.item_id,
            ),
        )
    joined = joined.join(FeedbackItem, FeedbackItem.id == driver.c.item_id)
    joined = joined.where(like).prefix_with("STRAIGHT_JOIN")
    several = len(lowered) > grams.GRAM
    if several and min(count for _n, count in counts) >= GRAM_PROBE and windowable():
        # Every gram is common: for a phrase that rarely occurs whole, the driver's entries
        # until enough matches are all of the workspace's. Only the window's are read.
        return _Plan(joined, driver.c.item_id, SHORT_QUERY_WINDOW, "common")
    return _Plan(joined, driver.c.item_id)


def _terms_starting(session: Session, prefix: str) -> list[str]:
    """SQLite: the full-text index's terms that start with ``prefix``, up to one more than
    ``MAX_PREFIX_TERMS``; the cost follows the terms, not how many items hold them."""
    bounds = {"low": prefix, "high": prefix + "\U0010ffff", "most": MAX_PREFIX_TERMS + 1}
    return list(session.scalars(_TERMS_BETWEEN, bounds))


def _trigrams(text: str) -> list[str]:
    """The distinct three-character pieces of ``text`` in order, at most MAX_PROBED_GRAMS of
    them spread over its length: what the SQLite and PostgreSQL probes count."""
    return _spread(list(dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2))))


def _common_terms(session: Session, lowered: str) -> bool:
    """SQLite: whether every trigram of ``lowered`` (more than one) occurs at least GRAM_PROBE
    times in the full-text index (all workspaces: the index's cost is global). Each term is
    counted on the 'instance' vocabulary up to the probe (a bounded walk: 0.4 ms for a common
    term at 10^6), in text order, stopping at the first rare one: a query with a rare part
    usually pays one or two probes. Python's ``lower`` stands for the tokenizer's case
    folding: only the cost depends on it, either plan finds exactly the matches it reads."""
    if len(lowered) <= 3:
        return False
    for term in _trigrams(lowered):
        if session.scalar(_TERM_PROBE, {"term": term, "most": GRAM_PROBE}) < GRAM_PROBE:
            return False
    return True


def _common_pieces(session: Session, needle: str) -> bool:
    """PostgreSQL: whether every three-character piece of ``needle`` (more than one) is in
    GRAM_PROBE items or more, estimated from the table's newest PIECE_SAMPLE items (one
    bounded statement: a primary-key walk and a substring test per piece and item) scaled
    by the newest id. The GIN index has no cheap count of a trigram's entries: a probe
    through it reads whole posting lists, which is the cost to avoid (the intersection of
    four common trigrams alone: 90 ms at 10^6, 2026-12-03). Table-wide, as the index's lists
    are. Only the cost depends on the estimate: either plan finds exactly the matches it
    reads, and a window is told."""
    if len(needle) <= 3:
        return False
    pieces = _trigrams(needle)
    sample = (
        select(func.lower(FeedbackItem.text).label("t"))
        .order_by(FeedbackItem.id.desc())
        .limit(PIECE_SAMPLE)
        .subquery()
    )
    holding = [func.count().filter(func.strpos(sample.c.t, func.lower(p)) > 0) for p in pieces]
    newest = select(func.max(FeedbackItem.id)).scalar_subquery()
    top, sampled, *counts = session.execute(
        select(newest, func.count(), *holding).select_from(sample)
    ).one()
    return bool(sampled) and min(counts) * (top or 0) >= GRAM_PROBE * sampled


def _with_text(
    session: Session,
    query: Select[FeedbackItem],
    workspace_id: int,
    text: str,
    windowable: Callable[[], bool],
) -> _Plan:
    """Add "the text contains ``text``, case-insensitively", through the backend's index.
    ``windowable()``: whether more items match ``query`` than a window; asked before the
    probes of a query of several parts, which are pointless when the window is everything
    (a workspace of up to 10,000 items searches the whole index, as before the probes)."""
    needle = text.replace(_SENTINEL, "")
    if not needle:
        return _Plan(query, FeedbackItem.id)
    like = FeedbackItem.text.ilike(_like_pattern(needle), escape="/")
    dialect = session.get_bind().dialect.name
    if dialect in ("mysql", "mariadb"):
        # The bigram table answers from two characters on. MySQL proper (no Sequence engine,
        # no bigram table: see feedback_0003) reads the window for any text.
        if len(needle) < grams.GRAM or not grams.served(session.get_bind().dialect):
            return _Plan(query.where(like), FeedbackItem.id, SHORT_QUERY_WINDOW)
        return _with_grams(session, query, workspace_id, needle, windowable)
    if dialect != "sqlite":
        if len(needle) < 3:
            return _Plan(query.where(like), FeedbackItem.id, SHORT_QUERY_WINDOW)
        # The trigram index answers ILIKE from three characters on.
        if len(needle) > 3 and windowable() and _common_pieces(session, needle):
            # The same test on an expression the index does not cover (``|| ''``): the
            # window is read by id, not through posting lists as long as the table.
            unindexed = FeedbackItem.text.concat("").ilike(_like_pattern(needle), escape="/")
            return _Plan(query.where(unindexed), FeedbackItem.id, SHORT_QUERY_WINDOW, "common")
        return _Plan(query.where(like), FeedbackItem.id)
    window: int | None = None
    if len(needle) >= 3:
        match = _phrase(needle)
        if len(needle) > 3 and windowable() and _common_terms(session, needle.lower()):
            window = SHORT_QUERY_WINDOW
    else:
        # Every character of an indexed text starts a trigram (the sentinel pads the end), so
        # the items containing ``needle`` are those holding a trigram that starts with it.
        terms = _terms_starting(session, needle.lower())
        if len(terms) > MAX_PREFIX_TERMS:
            return _Plan(query.where(like), FeedbackItem.id, SHORT_QUERY_WINDOW)
        if not terms:
            return _Plan(query.where(false()), FeedbackItem.id)
        match = " OR ".join(_phrase(term) for term in terms)
    # The full-text table drives the loop, in its rowid order (= item id), so a page stops
    # after its rows. "+ 0" keeps SQLite from the other plan: run the MATCH once per item.
    joined = query.join(_fts, _fts.c.rowid + 0 == FeedbackItem.id)
    matched = joined.where(literal_column("feedback_item_fts").op("MATCH")(match))
    return _Plan(matched, _fts.c.rowid, window, "common")


def _window_floor(session: Session, query: Select[FeedbackItem], size: int) -> int | None:
    """The id just below the newest ``size`` items of ``query`` (the filters but the text: a
    date range, a team, a status); None when it has no more than ``size`` (then the window
    is all of them, e.g. a board's date range of up to ``size`` items is searched whole)."""
    return session.scalar(
        query.with_only_columns(FeedbackItem.id)
        .order_by(FeedbackItem.id.desc())
        .offset(size)
        .limit(1)
    )


def _filtered(
    session: Session, workspace_id: int, f: FeedbackFilter, *, whole: bool = False
) -> _Plan:
    """The query for ``f``. A window the backend needs is applied as an id floor under the
    newest items matching the other filters, and kept in the plan only when they are more
    than it; ``whole`` lifts it (CSV export)."""
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
    if f.scope is not None:
        mine = or_(
            FeedbackItem.reporter_id == f.scope.member_id,
            FeedbackItem.owner_id == f.scope.member_id,
        )
        if f.scope.desk_team_ids:
            mine = or_(FeedbackItem.team_id.in_(sorted(f.scope.desk_team_ids)), mine)
        query = query.where(mine)
    if not f.text:
        return _Plan(query, FeedbackItem.id)
    floors: dict[int, int | None] = {}

    def floor_of(size: int) -> int | None:
        if size not in floors:  # one statement, shared by the probes' question and the window
            floors[size] = _window_floor(session, query, size)
        return floors[size]

    plan = _with_text(
        session,
        query,
        workspace_id,
        f.text,
        lambda: not whole and floor_of(SHORT_QUERY_WINDOW) is not None,
    )
    if plan.window is None or whole:
        return _Plan(plan.query, plan.key)
    floor = floor_of(plan.window)
    if floor is None:
        return _Plan(plan.query, plan.key)
    # The floor on the index's own key too (the FTS rowid, the driving gram's item id), so
    # that the index reads only the window's entries.
    windowed = plan.query.where(FeedbackItem.id > floor)
    if plan.key is not FeedbackItem.id:
        windowed = windowed.where(plan.key > floor)
    return _Plan(windowed, plan.key, plan.window, plan.reason)


@dataclass(frozen=True)
class Found:
    """A page of :func:`find`: the items, newest first; how many match, counted up to
    ``offset + COUNT_LIMIT + 1`` (show it with :func:`count_label`); and ``window``: when not
    None, only the newest ``window`` items matching the other filters were searched (there are
    more) and they held no more matches than the count bound, so older matches may be missing:
    a bound the reply must tell. ``window_reason`` says why: "short", a text too short for the
    backend's index (one or two characters on PostgreSQL); "common", a text whose every part
    is frequent (see ``GRAM_PROBE``), where a rarer word or the other filters narrow it."""

    items: list[FeedbackItem]
    total: int
    window: int | None = None
    window_reason: WindowReason | None = None


def find(
    session: Session,
    *,
    workspace_id: int,
    filters: FeedbackFilter,
    limit: int = 50,
    offset: int = 0,
) -> Found:
    """Items matching ``filters``, newest first, with a bounded count and the window searched
    (see :class:`Found`): the cost follows the page asked for, not the size of the workspace.

    The one search behind chat (/查找反馈), REST (``?q=``) and the board. Text matches as a
    case-insensitive substring; ``%``, ``_``, quotes and FTS operators are plain text.

    First the ids of up to ``offset + COUNT_LIMIT + 1`` matches, in whatever order the index
    yields them (a rare phrase: its few index hits, no scan). When that is all of them, the
    page is cut from those ids and only its rows are read; otherwise matches are plentiful and
    an ordered scan newest first stops after the page.
    """
    plan = _filtered(session, workspace_id, filters)
    bound = offset + COUNT_LIMIT
    ids = session.scalars(plan.query.with_only_columns(FeedbackItem.id).limit(bound + 1)).all()
    if len(ids) <= bound:
        page = sorted(ids, reverse=True)[offset : offset + limit]
        items = (
            session.scalars(
                select(FeedbackItem)
                .where(FeedbackItem.id.in_(page))
                .order_by(FeedbackItem.id.desc())
            ).all()
            if page
            else []
        )
    else:
        items = session.scalars(
            plan.query.order_by(plan.key.desc()).limit(limit).offset(offset)
        ).all()
    # A window holding more matches than the count bound, and at least the page's, gives the
    # whole search's page and count label ("1000+"): the newest matches are all inside it.
    # Nothing to tell then (a frequent word in a window of common parts: "crashes").
    if plan.window is None or (len(ids) > bound and offset + limit <= len(ids)):
        return Found(list(items), len(ids))
    return Found(list(items), len(ids), plan.window, plan.reason)


def search(
    session: Session,
    *,
    workspace_id: int,
    filters: FeedbackFilter,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[FeedbackItem], int]:
    """:func:`find` as (items, bounded count), for callers that show no window."""
    found = find(session, workspace_id=workspace_id, filters=filters, limit=limit, offset=offset)
    return found.items, found.total


def count_label(total: int, offset: int = 0) -> str:
    """A count from :func:`find` for people: "1000+" once it passed the bound."""
    bound = offset + COUNT_LIMIT
    return f"{bound}+" if total > bound else str(total)


def iter_all(
    session: Session, *, workspace_id: int, filters: FeedbackFilter, batch: int = 500
) -> Iterable[FeedbackItem]:
    """Every matching item, oldest first, in batches (CSV export): no window; a short query
    on PostgreSQL is a LIKE scan that reads the whole workspace once."""
    plan = _filtered(session, workspace_id, filters, whole=True)
    last_id = 0
    while True:
        rows = session.scalars(
            plan.query.where(plan.key > last_id).order_by(plan.key).limit(batch)
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
