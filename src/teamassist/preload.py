"""Maps a batch of scheduled jobs loads once, for the services to read instead of querying.

The scheduler runs one job for hundreds of teams in one transaction; a domain's ``prepare``
hook loads what those runs read (channels, rotations, members...) in a few set queries and
puts the maps here. Services look here first and query as usual when nothing is preloaded,
so the same code serves a chat command and a batch of ten thousand teams.

A map lives as long as the transaction it was loaded in: a later transaction of the same
session never sees it. While a batch runs *bulk*, notices are queued without a look-up per
notice; a clash surfaces at flush, and the scheduler then re-runs the batch one job at a time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

_MAPS = "teamassist.preload"
_BULK = "teamassist.preload.bulk"
_DEFERRED = "teamassist.preload.deferred"


def put(session: Session, name: str, value: Any) -> None:
    """Keep ``value`` under ``name`` for the rest of the session's current transaction."""
    session.connection()  # begins the transaction the map belongs to
    maps = _current(session, _MAPS, create=True)
    assert maps is not None
    maps[name] = value


def get(session: Session, name: str) -> Any | None:
    """The value stored under ``name`` in this transaction, or None."""
    maps = _current(session, _MAPS)
    return None if maps is None else maps.get(name)


def defer_insert(session: Session, model: type[Any], values: dict[str, Any]) -> None:
    """In a bulk batch: insert a ``model`` row with ``values`` at :func:`flush_deferred`, with
    the batch's other rows of that table in one executemany (the ORM would insert one by one)."""
    maps = _current(session, _MAPS, create=True)
    assert maps is not None
    maps.setdefault(_DEFERRED, {}).setdefault(model, []).append(values)


def deferred_mark(session: Session) -> dict[type[Any], int]:
    """How many rows of each table are held back now (see :func:`drop_deferred`)."""
    maps = _current(session, _MAPS)
    deferred: dict[type[Any], list[dict[str, Any]]] = (maps or {}).get(_DEFERRED, {})
    return {model: len(rows) for model, rows in deferred.items()}


def drop_deferred(session: Session, mark: dict[type[Any], int]) -> None:
    """Forget the rows held back since ``mark`` (a failed run's notices)."""
    maps = _current(session, _MAPS)
    deferred: dict[type[Any], list[dict[str, Any]]] = (maps or {}).get(_DEFERRED, {})
    for model, rows in deferred.items():
        del rows[mark.get(model, 0) :]


def flush_deferred(session: Session) -> None:
    """Insert the rows :func:`defer_insert` kept, one statement per table."""
    maps = _current(session, _MAPS)
    deferred: dict[type[Any], list[dict[str, Any]]] = (maps or {}).pop(_DEFERRED, {})
    for model, rows in deferred.items():
        # The table, not the mapped class: the ORM's bulk path re-keys every row dict first
        # (a fifth of a morning batch's insert time), and these rows are plain column values.
        session.execute(insert(model.__table__), rows)


def set_bulk(session: Session, on: bool) -> None:
    """Mark the current transaction as a bulk batch (see the module's note)."""
    if on:
        session.connection()  # begins the transaction the mark belongs to
        session.info[_BULK] = session.get_transaction()
    else:
        session.info.pop(_BULK, None)


def bulk(session: Session) -> bool:
    """Whether the current transaction is a bulk batch."""
    marker = session.info.get(_BULK)
    return marker is not None and marker is session.get_transaction()


def _current(session: Session, slot: str, *, create: bool = False) -> dict[str, Any] | None:
    owner = session.get_transaction()
    entry = session.info.get(slot)
    if entry is not None and entry[0] is owner and owner is not None:
        maps: dict[str, Any] = entry[1]
        return maps
    if not create:
        return None
    maps = {}
    session.info[slot] = (owner, maps)
    return maps
