"""feedback full-text terms listed by seeking, not counting

Revision ID: feedback_0004
Revises: feedback_0003
Create Date: 2026-12-03 10:15:00

SQLite only: an ``fts5vocab`` table of type 'instance' over ``feedback_item_fts``. A search of
one or two characters lists the trigrams that start with it; the 'row' vocabulary of
feedback_0002 counts every occurrence of a term before it yields the term, so listing the
terms of a frequent word read all of its items (issue #9: grew with the data). The 'instance'
one yields a term's first occurrence at once, and ``feedback.queries`` seeks from term to term.
A vocabulary table stores nothing: creating it costs nothing whatever the data. PostgreSQL and
MariaDB have no such table (their indexes are the trigram GIN index and the bigram table).
"""

from __future__ import annotations

from alembic import op

revision = "feedback_0004"
down_revision = "feedback_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE feedback_item_fts_instance"
            " USING fts5vocab(feedback_item_fts, 'instance')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE feedback_item_fts_instance")
