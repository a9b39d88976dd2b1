"""Delivers notices addressed to the web platform into the dashboard's feeds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Insert, Table, bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from teamassist.adapters.web.models import WebMessage
from teamassist.clock import Clock, utcnow
from teamassist.database import UTCDateTime, transaction
from teamassist.enums import Platform
from teamassist.outbox.models import OutboxMessage
from teamassist.outbox.senders import OutgoingMessage


class WebSender:
    """Writes each notice once into ``web_message``."""

    platform = Platform.WEB.value

    def __init__(self, factory: sessionmaker[Session], clock: Clock = utcnow) -> None:
        self.factory = factory
        self.clock = clock

    def send(self, message: OutgoingMessage) -> str | None:
        """Store the notice for the dashboard (:meth:`_store`), in a transaction of its own."""
        with transaction(self.factory) as session:
            return self._store(session, message)

    def send_many(self, messages: Sequence[OutgoingMessage]) -> list[str | None]:
        """Store a pass's notices in one transaction: one per notice was a pool checkout,
        BEGIN and COMMIT each, the largest part of the delivery loop's CPU per /问题反馈
        served (issue 9)."""
        with transaction(self.factory) as session:
            return [self._store(session, message) for message in messages]

    def _store(self, session: Session, message: OutgoingMessage) -> str | None:
        """Store the notice for the dashboard; a retried send finds the first copy. A notice
        whose outbox row is gone (its workspace was deleted meanwhile) is not stored.

        One statement where the database can skip a taken key (PostgreSQL, SQLite): the copy
        takes its workspace from the outbox row and is skipped when one exists; only then is
        the first copy (or the row's absence) read. Three statements and an ORM flush were a
        millisecond of the server's CPU per web notice, as much as a whole command's INSERT
        (issue 9: every /问题反馈 queues one to the demo's web channel)."""
        values = {
            "outbox_id": message.outbox_id,
            "address": message.address,
            "payload": message.reply.model_dump(mode="json"),
            "created_at": self.clock(),
        }
        insert = _copy_insert(session)
        if insert is not None:
            row_id = session.execute(insert, values).scalar()
            if row_id is not None:
                return str(row_id)
        existing = session.scalar(
            select(WebMessage.id).where(WebMessage.outbox_id == message.outbox_id)
        )
        if existing is not None:
            return str(existing)
        if insert is not None:
            return None  # the INSERT found no outbox row to copy
        notice = session.execute(
            select(OutboxMessage.workspace_id).where(OutboxMessage.id == message.outbox_id)
        ).first()
        if notice is None:
            return None
        row = WebMessage(workspace_id=notice.workspace_id, **values)
        session.add(row)
        session.flush()
        return str(row.id)


_COPY_INSERTS: dict[str, Insert | None] = {}


def _copy_insert(session: Session) -> Insert | None:
    """``INSERT INTO web_message … SELECT … FROM outbox_message WHERE id = :outbox_id ON
    CONFLICT (outbox_id) DO NOTHING RETURNING id`` for the session's database, built once;
    None on MariaDB (``INSERT IGNORE`` would skip other errors too) and on an SQLite without
    ``RETURNING``."""
    dialect = session.get_bind().dialect
    if dialect.name not in _COPY_INSERTS:
        _COPY_INSERTS[dialect.name] = (
            _build_copy_insert(dialect.name) if dialect.insert_returning else None
        )
    return _COPY_INSERTS[dialect.name]


def _build_copy_insert(dialect: str) -> Insert | None:
    dialect_insert: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        dialect_insert = postgresql.insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        dialect_insert = sqlite.insert
    else:
        return None
    table = cast(Table, WebMessage.__table__)
    outbox = cast(Table, OutboxMessage.__table__)
    payload_type: Any = table.c.payload.type
    copy = select(
        outbox.c.id,
        outbox.c.workspace_id,
        bindparam("address", type_=table.c.address.type),
        bindparam("payload", type_=payload_type),
        bindparam("created_at", type_=UTCDateTime()),
    ).where(outbox.c.id == bindparam("outbox_id"))
    statement: Any = dialect_insert(table).from_select(
        ["outbox_id", "workspace_id", "address", "payload", "created_at"], copy
    )
    return cast(
        Insert,
        statement.on_conflict_do_nothing(index_elements=["outbox_id"]).returning(table.c.id),
    )
