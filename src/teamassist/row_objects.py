"""ORM objects of a session made from the columns a Core statement read, without ORM loading.

Loading entities through the ORM sets up its loading machinery on every execution. The caller
of a chat request (a workspace, a member and a team in one row) was half of a ``/帮助`` in
the worker thread (session 23, py-spy of 2,000 in-process commands, SQLite: the global
token's lookup 50 % of the samples, the ORM's set-up and row processing a third of that); the
members on duty with their identities cost twice the statement alone (issue 9, PostgreSQL,
thread CPU per read 0.79 against 0.37 ms). Read as plain columns (:attr:`RowObjects.columns`)
and made into objects here, they are the same persistent objects of the session as the ORM
gives: attributes set, nothing to flush, relationships loaded on first use (or set, as an eager
load sets them), changes flushed with the unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Column, Executable, Row, Table, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

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
        # The mapped class's table, typed as one: statements here are written over tables.
        self.table = cast(Table, mapper.local_table)
        self.keys = tuple(keys)
        # The table's columns (no ORM annotations): a statement of them runs as plain Core.
        self.columns = tuple(columns)
        self.width = len(columns)
        self.at_id = self.keys.index("id")
        self._mapper = mapper

    def of(
        self,
        session: Session,
        values: Sequence[Any],
        collections: Mapping[str, list[Any]] | None = None,
    ) -> T | None:
        """The object of ``session`` for one row's ``values`` (its columns in order); None when
        its id is NULL (an outer join found no row). An object the session holds already is
        returned as it is: the session's state wins over a row read after it, as the ORM's
        own loading does without ``populate_existing``. Each of ``collections`` (a
        relationship's name: its objects, in its order) is set where the object has not
        loaded it yet, as an eager load sets it.

        Read what the session may have pending only after ``session.flush()`` (as the ORM's
        autoflush would; :func:`first_row` does)."""
        row_id = values[self.at_id]
        if row_id is None:
            return None
        held = session.identity_map.get(self._mapper.identity_key_from_primary_key((row_id,)))
        if held is not None:
            made: Any = held
        else:
            made = self._mapper.class_manager.new_instance()
            made.__dict__.update(zip(self.keys, values, strict=True))
            make_transient_to_detached(made)
            # Public API: a detached object with its identity joins the session persistent.
            # Its save-update cascade walks the mapper's relationships for nothing (a new
            # object holds none); the private ``Session._update_impl`` skips it, but saves only
            # ~5 µs per object (session 24, SQLite, 3,000 × 5 interleaved, load 4: session.add
            # 19.1–20.4 µs, _update_impl 13.6–14.7, the object alone 8.7–9.5).
            session.add(made)
        for name, items in (collections or {}).items():
            if name not in made.__dict__:
                set_committed_value(made, name, items)
        kept: T = made
        return kept


def first_row(
    session: Session, statement: Executable, params: Mapping[str, Any]
) -> Row[Any] | None:
    """The first row of a Core ``statement`` run on ``session``'s connection, after its
    pending changes are flushed (as the ORM's autoflush does before a query of entities:
    ``Session.execute`` of a Core statement does not)."""
    session.flush()
    return session.connection().execute(statement, params).first()
