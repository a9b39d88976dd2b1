"""SQLite's foreign keys off while migrations run, and checked before they commit.

Alembic's batch mode changes a SQLite table by copying it to a new one, dropping the old and
renaming the new (SQLite's ALTER TABLE cannot do most changes in place). With foreign keys
enforced, that DROP deletes every row that references the table through ON DELETE CASCADE, and
nulls those with SET NULL: upgrading through ``actions_0002`` deleted every action item's
history (session 26). SQLite's own recipe for such a change starts by turning foreign keys off
and ends with ``PRAGMA foreign_key_check`` (https://www.sqlite.org/lang_altertable.html,
"Making Other Kinds Of Table Schema Changes", steps 1 and 10). The PRAGMA is a no-op inside a
transaction, so it goes to the driver's connection before the migration's transaction begins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection


class ForeignKeyViolation(RuntimeError):
    """Rows the migrations left pointing at nothing: the upgrade is rolled back."""


@contextmanager
def sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """Run the block with SQLite's foreign keys not enforced (other backends: as they are).

    ``connection`` must not be in a transaction yet (else the PRAGMA would silently do
    nothing): ValueError. Enforcement is back on when the block ends, however it ends."""
    if connection.dialect.name != "sqlite":
        yield
        return
    if connection.in_transaction():
        raise ValueError("foreign keys can only be turned off before the transaction begins")
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def dangling(connection: Connection) -> Counter[tuple[str, str]]:
    """How many rows reference nothing, by (table, referenced table); empty on other backends."""
    if connection.dialect.name != "sqlite":
        return Counter()
    rows = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    return Counter((str(row[0]), str(row[2])) for row in rows)


def check_foreign_keys(connection: Connection, before: Counter[tuple[str, str]]) -> None:
    """Raise :class:`ForeignKeyViolation` if the migrations left more rows referencing nothing
    than ``before`` counted (inside the migration's transaction, so it is rolled back). Rows
    that dangled before are not the upgrade's doing: refusing them would stop it for good."""
    added = dangling(connection) - before
    if added:
        shown = ", ".join(f"{table} → {parent}: {n}" for (table, parent), n in added.items())
        raise ForeignKeyViolation(f"rows referencing nothing after migrating: {shown}")
