"""MariaDB's substring index for feedback text: an n-gram side table kept by triggers.

MariaDB has no index that answers "text contains s" (InnoDB FULLTEXT splits words at spaces and
punctuation, so Chinese is one word; the n-gram parser is MySQL's; Mroonga is not installed by
default). So every item's lower-cased text is cut into its **pairs of adjacent characters**
(bigrams, every script alike: Chinese, Latin, digits, emoji, spaces and punctuation), one row
per distinct bigram::

    feedback_search_grams(workspace_id, gram, item_id)   PRIMARY KEY (workspace_id, gram, item_id)

``gram`` is the gram's UTF-8 bytes (``VARBINARY(8)``): bytes compare exactly, whatever the
column's collation would fold (``utf8mb4_*_ci`` treats "é" and "e" as equal, which would merge
rows). The primary key serves "this workspace's items holding gram g, newest first". A text
holding ``s`` holds every gram of ``s``, so the items holding all of ``s``'s grams are a
superset of the matches; ``queries`` verifies each candidate with the exact LIKE test.

Why bigrams: a Chinese query of two characters (the usual length of a Chinese word) is
answered; Latin words and digits get bigrams too rather than trigrams, so one scheme answers
any query of two characters or more. A one-character query is not served (single characters
would add about two thirds more rows, and every write and the fill pay for them): it reads the
newest ``queries.SHORT_QUERY_WINDOW`` items matching the other filters, as on PostgreSQL, and
says so. Cost: about one row per character of text (``benchmarks.feedback_search`` prints the
table's size).

Kept in step by triggers, like SQLite's FTS table, so every write path is covered: the ORM,
Core ``insert``/``update`` (tests, the benchmark's bulk fill, imports) and hand-written SQL.
Insert and update (of ``text``, ``id`` or ``workspace_id``) rewrite the item's grams in the same
statement, hence the same transaction; deletes, including those cascaded from a team or a
workspace, follow the foreign key (``ON DELETE CASCADE``; MariaDB fires no trigger for cascaded
deletes, the foreign key does not need one). The character positions come from MariaDB's
Sequence engine (``seq_1_to_65535``, built in since MariaDB 10.1): a set-based INSERT … SELECT,
no loop. Created by migration ``feedback_0003`` on MariaDB only; the table is not a model
(``models.UNMODELLED``).
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, LargeBinary, MetaData, Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import text

TABLE = "feedback_search_grams"
# A gram's length, in characters.
GRAM = 2

# Not in Base.metadata: the table exists on MariaDB only. Described here for the query.
grams_table = Table(
    TABLE,
    MetaData(),
    Column("workspace_id", Integer, primary_key=True),
    Column("gram", LargeBinary(8), primary_key=True),
    Column("item_id", Integer, primary_key=True),
)


def served(dialect: Dialect) -> bool:
    """Whether the database carries the bigram table: MariaDB does (migration
    ``feedback_0003``); MySQL proper has no Sequence engine and is left without it."""
    return dialect.name in ("mysql", "mariadb") and bool(getattr(dialect, "is_mariadb", False))


def grams_of(lowered: str) -> list[bytes]:
    """The distinct grams of an already lower-cased text in text order, as the triggers store
    them (the UTF-8 bytes of every pair of adjacent characters); none for one character."""
    pairs = (lowered[i : i + GRAM].encode() for i in range(len(lowered) - GRAM + 1))
    return list(dict.fromkeys(pairs))


# The grams of one row's text, for ``{row}`` = NEW or the backfill's alias. LOWER in the
# database so that the stored grams and a query's grams fold case the same way.
_GRAMS_OF = """
SELECT {row}.workspace_id, CAST(SUBSTRING(LOWER({row}.text), s.seq, {gram}) AS BINARY), {row}.id
FROM seq_1_to_65535 s {extra}
WHERE s.seq <= CHAR_LENGTH(LOWER({row}.text)) + 1 - {gram}
"""


def _grams_of(row: str, extra: str = "") -> str:
    return _GRAMS_OF.format(row=row, extra=extra, gram=GRAM)


CREATE = [
    f"""CREATE TABLE {TABLE} (
        workspace_id INTEGER NOT NULL,
        gram VARBINARY(8) NOT NULL,
        item_id INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, gram, item_id),
        KEY ix_{TABLE}_item_id (item_id),
        CONSTRAINT fk_{TABLE}_item_id FOREIGN KEY (item_id)
            REFERENCES feedback_item (id) ON DELETE CASCADE
    ) ENGINE=InnoDB""",
    f"""CREATE TRIGGER {TABLE}_insert AFTER INSERT ON feedback_item FOR EACH ROW
    INSERT IGNORE INTO {TABLE} (workspace_id, gram, item_id) {_grams_of("NEW")}""",
    f"""CREATE TRIGGER {TABLE}_update AFTER UPDATE ON feedback_item FOR EACH ROW
    BEGIN
        IF NOT (BINARY OLD.text <=> BINARY NEW.text) OR OLD.id <> NEW.id
                OR OLD.workspace_id <> NEW.workspace_id THEN
            DELETE FROM {TABLE} WHERE item_id = OLD.id;
            INSERT IGNORE INTO {TABLE} (workspace_id, gram, item_id) {_grams_of("NEW")};
        END IF;
    END""",
]
DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_insert",
    f"DROP TABLE IF EXISTS {TABLE}",
]
# INSERT IGNORE: a text repeats grams; the primary key keeps one row of each.
_BACKFILL = f"INSERT IGNORE INTO {TABLE} (workspace_id, gram, item_id) " + _grams_of(
    "i", extra="JOIN feedback_item i ON i.id >= :low AND i.id < :high"
)


def backfill(connection: Connection, *, batch: int = 5_000) -> None:
    """Write the grams of every existing item, ``batch`` item ids per statement (a bounded
    undo log and lock set each). Used by migration ``feedback_0003`` and by the benchmark's
    bulk fill (which drops the insert trigger meanwhile)."""
    low, high = connection.execute(text("SELECT MIN(id), MAX(id) FROM feedback_item")).one()
    if low is None:
        return
    for start in range(low, high + 1, batch):
        connection.execute(text(_BACKFILL), {"low": start, "high": start + batch})
