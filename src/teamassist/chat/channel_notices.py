"""One notice queued for every matching channel of a team in one statement.

:func:`teamassist.chat.notify.to_channels` read the team's channels (a SELECT), then queued the
notice once per channel (an ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` each). Here the
channels are read by the INSERT itself (``INSERT … SELECT … FROM channel … ON CONFLICT DO
NOTHING RETURNING``), which returns the rows it wrote with their channels' quiet hours: every
``/问题反馈`` spent a statement, and its thread CPU, on the read (issue 9). A channel whose quiet
hours hold the notice gets its time moved by an UPDATE of its own row in the same transaction
(no claimer sees the row before the commit), so each row ends as the per-channel path wrote it.

On SQLite (3.35+) and PostgreSQL a notice already queued under a channel's key is skipped by
``ON CONFLICT DO NOTHING``. MariaDB has no such clause (its ``INSERT IGNORE`` skips rows for
other errors too, see :func:`teamassist.database.skipping_insert`): there the same ``INSERT …
SELECT … RETURNING`` runs in a savepoint, three statements where the per-channel path took a
read and four per channel (/问题反馈 12 → 10, session 27), and a key already taken (a caller
run again) rolls the savepoint back and queues channel by channel, skipping what is there.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Insert,
    Integer,
    String,
    Table,
    bindparam,
    cast,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnClause

from teamassist.chat.quiet import quiet_until
from teamassist.chat.types import Reply
from teamassist.database import UTCDateTime, inserted
from teamassist.outbox import signals
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.team.models import Channel, Team

_CHANNELS = typing.cast(Table, Channel.__table__)
_OUTBOX = typing.cast(Table, OutboxMessage.__table__)
# The longest channel id's digits: a key prefix longer than the column less these would be cut
# (``enqueue`` keeps the first 191 characters); such a key takes the per-channel path.
_ID_DIGITS = 10
_KEY_LENGTH = 191
_COLUMNS = (
    "idempotency_key",
    "workspace_id",
    "channel_id",
    "platform",
    "address",
    "payload",
    "status",
    "attempts",
    "next_attempt_at",
    "not_before",
    "created_at",
)
_MOVE = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(next_attempt_at=bindparam("due", type_=UTCDateTime()))
)


def queue(
    session: Session,
    *,
    team: Team,
    purposes: Iterable[str],
    reply: Reply,
    key: str,
    now: datetime,
    hold_in_quiet_hours: bool,
) -> list[OutboxMessage] | None:
    """Queue ``reply`` for the enabled channels of ``team`` (and of its whole workspace) with
    one of ``purposes``, as :func:`teamassist.chat.notify.to_channels` does, in one statement
    (two for a channel in its quiet hours); the rows written, in channel order. None when the
    backend has no such statement or the key is too long for it: queue channel by channel."""
    prefix = f"{key}:ch"
    if len(prefix) + _ID_DIGITS > _KEY_LENGTH:
        return None
    built = _statement(session, tuple(sorted(set(purposes))))
    if built is None:
        return None
    statement, skips_taken_keys = built
    session.flush()  # as the ORM's INSERT did first (autoflush): rows it may refer to
    payload = reply.model_dump(mode="json")
    params = {
        "prefix": prefix,
        "workspace_id": team.workspace_id,
        "team_id": team.id,
        "payload": payload,
        "status": OutboxStatus.PENDING.value,
        "now": now,
    }
    if skips_taken_keys:
        written = session.execute(statement, params).all()
    else:
        try:
            with session.begin_nested():
                written = session.execute(statement, params).all()
        except IntegrityError:
            return None  # some channel's notice is there already: see the module
    queued: list[OutboxMessage] = []
    for row in sorted(written, key=lambda r: r.channel_id):
        due = now
        if hold_in_quiet_hours:
            hold = quiet_until(now, team.timezone, row.quiet_start, row.quiet_end)
            if hold is not None and hold > now:
                due = hold
                session.execute(_MOVE, {"row_id": row.id, "due": due})
        values: dict[str, Any] = {
            "idempotency_key": f"{prefix}{row.channel_id}",
            "workspace_id": team.workspace_id,
            "channel_id": row.channel_id,
            "platform": row.platform,
            "address": row.address,
            "reply_to": None,
            "payload": payload,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": due,
            "not_before": now,
            "created_at": now,
        }
        signals.note(session, row.platform)  # inserted by a statement, unseen by the flush
        queued.append(inserted(session, OutboxMessage, values, row.id))
    return queued


def _statement(session: Session, purposes: tuple[str, ...]) -> tuple[Insert, bool] | None:
    """The statement for ``purposes`` on the session's database and whether it skips a taken
    key itself (not on MariaDB); None without ``INSERT … RETURNING`` (MySQL)."""
    dialect = session.get_bind().dialect
    if not dialect.insert_returning or dialect.name not in ("sqlite", "postgresql", "mysql"):
        return None
    wanted = (dialect.name, purposes)
    if wanted not in _BUILT:
        _BUILT[wanted] = _build(dialect.name, purposes)
    return _BUILT[wanted], dialect.name != "mysql"


_BUILT: dict[tuple[str, tuple[str, ...]], Insert] = {}


def _build(dialect: str, purposes: tuple[str, ...]) -> Insert:
    """The statement for ``purposes``, built once per dialect: the purposes are plain
    parameters (an expanding ``IN`` cost 0.07 ms more per read, session 22)."""
    now = bindparam("now", type_=UTCDateTime())
    source = (
        select(
            bindparam("prefix", type_=String()) + cast(_CHANNELS.c.id, String()),
            bindparam("workspace_id", type_=Integer()),
            _CHANNELS.c.id,
            _CHANNELS.c.platform,
            _CHANNELS.c.address,
            bindparam("payload", type_=_OUTBOX.c.payload.type),
            bindparam("status", type_=String()),
            literal(0, Integer()),
            now,
            now,
            now,
        )
        .where(
            _CHANNELS.c.workspace_id == bindparam("workspace_id", type_=Integer()),
            _CHANNELS.c.enabled.is_(True),
            (_CHANNELS.c.team_id == bindparam("team_id")) | _CHANNELS.c.team_id.is_(None),
            or_(*(_CHANNELS.c.purpose == purpose for purpose in purposes)),
        )
        .order_by(_CHANNELS.c.id)
    )
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        insert: Any = sqlite.insert(_OUTBOX).on_conflict_do_nothing(
            index_elements=["idempotency_key"]
        )
    elif dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        insert = postgresql.insert(_OUTBOX).on_conflict_do_nothing(
            index_elements=["idempotency_key"]
        )
    else:  # MariaDB: a taken key is an error, in a savepoint (see the module)
        insert = _OUTBOX.insert()
    # The written row's channel's quiet hours. Named as text: SQLAlchemy would add the target
    # table to the subquery's FROM rather than correlate it with the row RETURNING returns.
    quiet = _CHANNELS.alias("quiet")
    written_channel: ColumnClause[int] = literal_column("outbox_message.channel_id")
    return typing.cast(
        Insert,
        insert.from_select(list(_COLUMNS), source).returning(
            _OUTBOX.c.id,
            _OUTBOX.c.channel_id,
            _OUTBOX.c.platform,
            _OUTBOX.c.address,
            select(quiet.c.quiet_start)
            .where(quiet.c.id == written_channel)
            .scalar_subquery()
            .label("quiet_start"),
            select(quiet.c.quiet_end)
            .where(quiet.c.id == written_channel)
            .scalar_subquery()
            .label("quiet_end"),
        ),
    )
