"""An upgrade loses no row (session 26, adc1a82: on SQLite, Alembic's batch mode rebuilds a table
by copy, DROP and rename, and with foreign keys enforced the DROP deleted every row referencing
the table by ON DELETE CASCADE and emptied every ON DELETE SET NULL reference to it; upgrading
through ``actions_0002`` deleted every action item's history).

A SQLite database is filled with a row in every table right after the migration that creates
the table, so each row then goes through every later migration (the batch rebuilds of
``team_0001``, ``team_0004``, ``actions_0002`` ... and their children's rows); after each
migration no table holds fewer rows, and no foreign key column fewer values, than before it.
Without the foreign keys turned off (``teamassist.migrations.foreign_keys``), ``team_0001``
alone deletes the platform identities, memberships and every duty row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, text

from teamassist import migrate
from teamassist.database import make_engine
from teamassist.migrations.foreign_keys import ForeignKeyViolation, sqlite_foreign_keys_off

# A value of each declared column type (SQLite's names, as the migrations create them).
VALUES: dict[str, object] = {
    "INTEGER": 1,
    "BIGINT": 1,
    "BOOLEAN": 1,
    "DOUBLE": 1.5,
    "DATE": "2026-06-01",
    "DATETIME": "2026-06-01 01:00:00.000000",
    "JSON": "{}",
    "TEXT": "文本 😀",
    "BLOB": b"\x00",
}


def _rows(conn: Connection, sql: str) -> list[Any]:
    return list(conn.exec_driver_sql(sql).fetchall())


def _tables(conn: Connection) -> list[str]:
    """The tables rows are kept in: not Alembic's, not a full-text index (virtual tables and
    their shadow tables hold what triggers derive from the others)."""
    virtual = [
        name
        for (name,) in _rows(
            conn,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'",
        )
    ]
    return [
        name
        for (name,) in _rows(
            conn, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
        )
        if name != "alembic_version" and not any(name.startswith(v) for v in virtual)
    ]


def _references(conn: Connection, table: str) -> dict[str, tuple[str, str]]:
    """``{column: (parent table, parent column)}`` of ``table``'s foreign keys."""
    return {row[3]: (row[2], row[4]) for row in _rows(conn, f'PRAGMA foreign_key_list("{table}")')}


def _counts(conn: Connection) -> dict[str, int]:
    """Rows per table, and values per foreign key column (``table.column``: a SET NULL
    cascade keeps the row and loses the value)."""
    counts = {}
    for table in _tables(conn):
        counts[table] = _rows(conn, f'SELECT count(*) FROM "{table}"')[0][0]
        for column in _references(conn, table):
            counts[f"{table}.{column}"] = _rows(conn, f'SELECT count("{column}") FROM "{table}"')[
                0
            ][0]
    return counts


def _value(declared: str, column: str) -> object:
    declared = declared.upper()
    if declared.startswith("VARCHAR("):
        return f"{column}1"[: int(declared[8:-1])]
    return VALUES[declared]


def _fill(conn: Connection, empty: list[str]) -> None:
    """One row in each of ``empty``, parents first: every column set (foreign keys to the
    parent's row, a self-reference left empty), so each reference can be lost."""
    pending = list(empty)
    while pending:
        ready = [
            table
            for table in pending
            if not {p for p, _ in _references(conn, table).values() if p != table} & set(pending)
        ]
        assert ready, f"no order fills {pending}"
        for table in ready:
            references = _references(conn, table)
            info = _rows(conn, f'PRAGMA table_info("{table}")')
            keys = [row for row in info if row[5]]
            numbered = {keys[0][1]} if len(keys) == 1 and keys[0][2] == "INTEGER" else set()
            values: dict[str, object] = {}
            for _, column, declared, *_ in info:
                if column in numbered:
                    continue
                if column in references:
                    parent, key = references[column]
                    if parent != table:
                        values[column] = _rows(conn, f'SELECT "{key}" FROM "{parent}" LIMIT 1')[0][
                            0
                        ]
                    continue
                values[column] = _value(declared, column)
            names = ", ".join(f'"{c}"' for c in values)
            marks = ", ".join("?" * len(values))
            conn.exec_driver_sql(
                f'INSERT INTO "{table}" ({names}) VALUES ({marks})', tuple(values.values())
            )
            pending.remove(table)


class Filler:
    """Alembic's ``on_version_apply`` callback: after each migration, what it lost, then a row
    in each table still empty."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.lost: list[str] = []
        self.filled: set[str] = set()

    def __call__(self, *, ctx: Any, step: Any, **_: object) -> None:
        conn = ctx.connection
        now = _counts(conn)
        self.lost += [
            f"{step.up_revision_id}: {name} {n} → {now.get(name, 0)}"
            for name, n in self.counts.items()
            if now.get(name, 0) < n
        ]
        empty = [table for table in _tables(conn) if now[table] == 0]
        _fill(conn, empty)
        self.filled.update(empty)
        self.counts = _counts(conn)


def test_an_upgrade_through_every_migration_keeps_every_row(tmp_path: Path) -> None:
    sqlite_file = f"sqlite:///{tmp_path}/ta.db"
    filler = Filler()
    config = migrate.alembic_config(sqlite_file)
    config.attributes["on_version_apply"] = filler
    engine = make_engine(sqlite_file)
    try:
        with engine.connect() as connection:  # as ``migrate.upgrade(engine=...)`` runs it
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
            assert connection.scalar(text("PRAGMA foreign_keys")) == 1  # on again for the app
            at_head = _counts(connection)
    finally:
        engine.dispose()
    assert filler.lost == []
    tables = {name for name in at_head if "." not in name}
    assert filler.filled == tables  # every table held a row on the way
    assert at_head == filler.counts
    assert at_head["action_event.item_id"] == 1  # the history actions_0002 used to delete


def test_an_upgrade_that_leaves_a_row_referencing_nothing_is_rolled_back_whole(
    tmp_path: Path,
) -> None:
    """SQLite's upgrade is one transaction (Alembic makes one per migration there unless told),
    so the foreign key check at its end undoes every migration, not only the last."""
    url = f"sqlite:///{tmp_path}/ta.db"

    def dangle(*, ctx: Any, step: Any, **_: object) -> None:
        if step.up_revision_id == "actions_0001":
            values = (999, None, "created", VALUES["DATETIME"], "{}")
            ctx.connection.exec_driver_sql(
                "INSERT INTO action_event (item_id, actor_id, kind, at, detail) "
                "VALUES (?, ?, ?, ?, ?)",
                values,
            )

    config = migrate.alembic_config(url)
    config.attributes["on_version_apply"] = dangle
    with pytest.raises(ForeignKeyViolation, match="action_event → action_item: 1"):
        command.upgrade(config, "heads")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert _tables(connection) == []  # not even core_0001's tables were kept
    finally:
        engine.dispose()


def test_keys_cannot_be_turned_off_inside_a_transaction(tmp_path: Path) -> None:
    """The PRAGMA would silently do nothing there: refused instead."""
    engine = make_engine(f"sqlite:///{tmp_path}/x.db")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))  # begins
            with pytest.raises(ValueError), sqlite_foreign_keys_off(connection):
                pass
    finally:
        engine.dispose()
