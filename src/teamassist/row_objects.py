"""ORM objects of a session made from the columns a Core statement read, without ORM loading.

Loading entities through the ORM sets up its loading machinery on every execution. The caller
of a chat request (a workspace, a member and a team in one row) was half of a ``/帮助`` in
the worker thread (session 23, py-spy of 2,000 in-process commands, SQLite: the global
token's lookup 50 % of the samples, the ORM's set-up and row processing a third of that).
Read as plain columns (:attr:`RowObjects.columns`) and made into objects here, they are the
same persistent objects of the session as the ORM gives: attributes set, nothing to flush,
relationships loaded on first use, changes flushed with the unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, Executable, Row, inspect
from sqlalchemy.orm import Session, make_transient_to_detached

T = TypeVar("T")


class RowObjects(Generic[T]):
    """Objects of one mapped class from rows that hold all its columns, in :attr:`columns`
    order. Built once per class, at import: what it asks of the mapper is known then."""

    def __init__(self, entity: type[T]) -> None:
        mapper = inspect(entity)
        keys: list[str] = []
        columns: list[Column[Any]] = []
        for attribute in mapper.column_attrs:
            (column,) = attribute.columns
            if attribute.deferred or not isinstance(column, Column):
                raise ValueError(f"{entity.__name__}.{attribute.key}: not a plain column")
            keys.append(attribute.key)
            columns.append(column)
        if [c.key for c in mapper.primary_key] != ["id"]:
            raise ValueError(f"{entity.__name__}: the primary key is not one column 'id'")
        self.entity = entity
        self.keys = tuple(keys)
        # The table's columns (no ORM annotations): a statement of them runs as plain Core.
        self.columns = tuple(columns)
        self.width = len(columns)
        self._at_id = self.keys.index("id")
        self._mapper = mapper

    def of(self, session: Session, values: Sequence[Any]) -> T | None:
        """The object of ``session`` for one row's ``values`` (its columns in order); None when
        its id is NULL (an outer join found no row). An object the session holds already is
        returned as it is: the session's state wins over a row read after it, as the ORM's
        own loading does without ``populate_existing``."""
        row_id = values[self._at_id]
        if row_id is None:
            return None
        held = session.identity_map.get(self._mapper.identity_key_from_primary_key((row_id,)))
        if held is not None:
            kept: T = held
            return kept
        made: T = self._mapper.class_manager.new_instance()
        made.__dict__.update(zip(self.keys, values, strict=True))
        make_transient_to_detached(made)
        # What ``session.add`` does for a detached object, without its save-update cascade: a
        # new object holds no related object to cascade to, and walking the mapper's
        # relationships to find that out was a third of the time here (session 23, one
        # process, interleaved with ``session.add``: the global token's lookup 0.51–0.57
        # against 0.63–0.69 ms at load 15; the ORM's load of the same row 0.71–0.78 ms).
        session._update_impl(inspect(made))
        return made


def first_row(
    session: Session, statement: Executable, params: Mapping[str, Any]
) -> Row[Any] | None:
    """The first row of a Core ``statement`` run on ``session``'s connection, after its
    pending changes are flushed (as the ORM's autoflush does before a query of entities:
    ``Session.execute`` of a Core statement does not)."""
    session.flush()
    return session.connection().execute(statement, params).first()
