"""feedback search index and workspace-wide list indexes

Revision ID: feedback_0002
Revises: feedback_0001
Create Date: 2026-11-30 12:00:00

Text search stops scanning every item (issue #9, "Data growth"):

- SQLite: a contentless FTS5 table with the ``trigram`` tokenizer (Chinese needs no word
  breaks), kept in sync by triggers. Each text is indexed with two ``char(1)`` appended so that
  every character starts a trigram: queries of one or two characters then become prefix look-ups
  in the term list (see ``feedback.queries``). Contentless rather than external-content because
  the indexed value is not the column's value; the triggers own both sides.
- PostgreSQL: ``pg_trgm`` and a GIN trigram index on ``text``; ILIKE uses it.
- MariaDB has no n-gram parser; its searches stay LIKE scans (documented in the README).

Both backends also get ``(workspace_id, id)`` and ``(workspace_id, status)`` for the
workspace-wide list and board, newest first.
"""

from __future__ import annotations

from alembic import op

revision = "feedback_0002"
down_revision = "feedback_0001"
branch_labels = None
depends_on = None

_SQLITE_UP = [
    "CREATE VIRTUAL TABLE feedback_item_fts USING fts5(text, content='', tokenize='trigram')",
    "CREATE VIRTUAL TABLE feedback_item_fts_vocab USING fts5vocab(feedback_item_fts, 'row')",
    "INSERT INTO feedback_item_fts(rowid, text) SELECT id, text || char(1, 1) FROM feedback_item",
    """CREATE TRIGGER feedback_item_fts_insert AFTER INSERT ON feedback_item BEGIN
        INSERT INTO feedback_item_fts(rowid, text) VALUES (new.id, new.text || char(1, 1));
    END""",
    """CREATE TRIGGER feedback_item_fts_delete AFTER DELETE ON feedback_item BEGIN
        INSERT INTO feedback_item_fts(feedback_item_fts, rowid, text)
        VALUES ('delete', old.id, old.text || char(1, 1));
    END""",
    """CREATE TRIGGER feedback_item_fts_update AFTER UPDATE OF id, text ON feedback_item BEGIN
        INSERT INTO feedback_item_fts(feedback_item_fts, rowid, text)
        VALUES ('delete', old.id, old.text || char(1, 1));
        INSERT INTO feedback_item_fts(rowid, text) VALUES (new.id, new.text || char(1, 1));
    END""",
]
_SQLITE_DOWN = [
    "DROP TRIGGER feedback_item_fts_update",
    "DROP TRIGGER feedback_item_fts_delete",
    "DROP TRIGGER feedback_item_fts_insert",
    "DROP TABLE feedback_item_fts_vocab",
    "DROP TABLE feedback_item_fts",
]


def upgrade() -> None:
    with op.batch_alter_table("feedback_item", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feedback_item_workspace_id_id", ["workspace_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_feedback_item_workspace_id_status", ["workspace_id", "status"], unique=False
        )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_UP:
            op.execute(statement)
    elif dialect == "postgresql":
        # pg_trgm is a trusted extension (PostgreSQL >= 13): the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_feedback_item_text_trgm ON feedback_item USING gin (text gin_trgm_ops)"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_DOWN:
            op.execute(statement)
    elif dialect == "postgresql":
        # The extension stays: other schemas in the database may use it.
        op.execute("DROP INDEX ix_feedback_item_text_trgm")
    with op.batch_alter_table("feedback_item", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_item_workspace_id_status")
        batch_op.drop_index("ix_feedback_item_workspace_id_id")
