"""The repeat guard of ``/问题反馈``, ``/产品建议`` and ``POST /api/v1/feedback/items``.

The same reporter sending the same text (retyped alike: see :func:`repeat_keys`) of the same
kind to the same team within :data:`REPEAT_WINDOW` is a repeat: a double-tapped send button, a
client's retry without an event id. Twenty identical ``/问题反馈`` at once stored twenty items
and paged the person on duty twenty times (tester, session 25, F-11); ``/销项`` and ``/进展``
had their guards already.

The guard costs no statement of its own, because it sits on the hot path of a writing
command (issue 9): every item carries a ``repeat_key``, a digest of (team, reporter, kind,
text) and the number of the window of the clock it fell in, under a UNIQUE index. The
item's INSERT skips on a taken key (``ON CONFLICT DO NOTHING``: of two at once, the second
waits for the first's commit and is skipped) and, in the same statement, when the previous
window holds the same digest written less than :data:`REPEAT_WINDOW` ago (``WHERE NOT
EXISTS``), so a repeat across the windows' edge is caught too. MariaDB has no skipping
INSERT (see :func:`teamassist.database.skipping_insert`): there the same ``INSERT … SELECT …
WHERE NOT EXISTS … RETURNING`` runs in a savepoint whose unique violation is the repeat
(three statements; a SELECT of the two keys first made four, session 27). Under READ
COMMITTED its read of the previous window is a consistent read, as that SELECT was: it
locks nothing more. An item with no reporter (no member, no account name) has no key.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Insert, Table, bindparam, exists, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from teamassist.clock import ensure_utc
from teamassist.exceptions import Conflict
from teamassist.feedback.models import FeedbackItem
from teamassist.team.names import gist

# As /销项's, /通知's and /进展's: long enough for a retry or a second tap.
REPEAT_WINDOW = timedelta(minutes=10)

_ITEMS = cast(Table, FeedbackItem.__table__)
_COLUMNS = [c for c in _ITEMS.columns if c.key != "id"]


def repeat_keys(
    *, team_id: int, reporter: str, kind: str, text: str, now: datetime
) -> tuple[str, str]:
    """(this window's key, the previous window's key) of an item: a SHA-256 of the team id, the
    reporter (``"m<member id>"`` or ``"a<account name>"``), the kind and the text folded by
    ``names.gist`` (case, width, blanks and a closing 。/！ aside, as the guards of 群发 and
    /进展 compare: 「登录 页面白屏！」 repeats 「登录页面白屏」, tester s26 A-1, B-22), then the
    index of the :data:`REPEAT_WINDOW` of the clock that ``now`` falls in. 56 characters at most
    for a window index below 10^7 (until the year 2160)."""
    said = gist(text)
    digest = hashlib.sha256(f"{team_id}\n{reporter}\n{kind}\n{said}".encode()).hexdigest()[:40]
    window = int(ensure_utc(now).timestamp() // REPEAT_WINDOW.total_seconds())
    return f"{digest}:{window}", f"{digest}:{window - 1}"


def insert_unless_repeat(session: Session, values: dict[str, Any], previous_key: str) -> int | None:
    """Insert the item ``values`` (``repeat_key`` among them) and return its id, or None, writing
    nothing, when it is a repeat (see the module). One statement on SQLite and PostgreSQL,
    three on MariaDB."""
    dialect = session.get_bind().dialect
    since = ensure_utc(values["created_at"]) - REPEAT_WINDOW
    guarded = _guarded_insert(dialect.name) if dialect.insert_returning else None
    params = {c.key: values.get(c.key) for c in _COLUMNS}
    params.update(previous_key=previous_key, since=since)
    if guarded is not None and dialect.name != "mysql":
        return cast("int | None", session.execute(guarded, params).scalar())
    if guarded is None and first_of(session, values["repeat_key"], previous_key, since) is not None:
        return None
    try:
        with session.begin_nested():
            if guarded is not None:  # MariaDB: a taken key raises (the module)
                return cast("int | None", session.execute(guarded, params).scalar())
            return int(session.execute(_PLAIN_INSERT, values).scalar_one())
    except IntegrityError:
        # Only a unique violation of the key is a repeat: anything else is raised again.
        if first_of(session, values["repeat_key"], previous_key, since) is None:
            raise
        return None


def first_of(session: Session, key: str, previous_key: str, since: datetime) -> int | None:
    """The id of the item a repeat repeats: this window's, else the previous window's written
    since ``since``; None if neither is there (the other writer rolled back)."""
    return session.scalar(
        select(_ITEMS.c.id)
        .where(
            (_ITEMS.c.repeat_key == key)
            | ((_ITEMS.c.repeat_key == previous_key) & (_ITEMS.c.created_at >= since))
        )
        .order_by(_ITEMS.c.id)
        .limit(1)
    )


def refused(item_id: int) -> Conflict:
    """The answer to a repeat: 409 ``feedback.error.repeat`` naming the first item."""
    return Conflict(
        "feedback.error.repeat", id=item_id, minutes=int(REPEAT_WINDOW.total_seconds() // 60)
    )


def _guarded_insert(dialect: str) -> Insert | None:
    if dialect not in _GUARDED:
        _GUARDED[dialect] = _build_guarded_insert(dialect)
    return _GUARDED[dialect]


_GUARDED: dict[str, Insert | None] = {}
_PLAIN_INSERT = _ITEMS.insert().returning(_ITEMS.c.id)


def _build_guarded_insert(dialect: str) -> Insert | None:
    # Built once per dialect: a statement built per call cost more than its execution.
    # PostgreSQL types a SELECT's bare parameters as text; the target columns need casts
    # (a NULL reporter or owner included). SQLite takes the values as they are.
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        values: list[Any] = [sql_cast(bindparam(c.key, type_=c.type), c.type) for c in _COLUMNS]
        into: postgresql.Insert | Any = postgresql.insert(_ITEMS)
    elif dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        values = [bindparam(c.key, type_=c.type) for c in _COLUMNS]
        into = sqlite.insert(_ITEMS)
    elif dialect == "mysql":  # MariaDB: a taken key is an error, in a savepoint (the module)
        values = [bindparam(c.key, type_=c.type) for c in _COLUMNS]
        rows = select(*values).where(~_earlier())
        return _ITEMS.insert().from_select([c.key for c in _COLUMNS], rows).returning(_ITEMS.c.id)
    else:
        return None
    rows = select(*values).where(~_earlier())
    return (
        into.from_select([c.key for c in _COLUMNS], rows)
        .on_conflict_do_nothing(index_elements=["repeat_key"])
        .returning(_ITEMS.c.id)
    )


def _earlier() -> Any:
    """Whether the previous window holds the key written within the window."""
    return exists().where(
        _ITEMS.c.repeat_key == bindparam("previous_key"),
        _ITEMS.c.created_at >= bindparam("since", type_=_ITEMS.c.created_at.type),
    )
