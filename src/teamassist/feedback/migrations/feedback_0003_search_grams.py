"""feedback search grams: MariaDB's substring index

Revision ID: feedback_0003
Revises: feedback_0002
Create Date: 2026-12-02 08:20:00

MariaDB only: the n-gram side table ``feedback_search_grams`` and the triggers that keep it,
then the grams of the items already stored, in batches of item ids (see
``teamassist.feedback.grams``). SQLite keeps its FTS5 table, PostgreSQL its trigram index:
neither needs the side table, so they do not carry it. Nor does MySQL proper (no Sequence
engine): its text searches stay LIKE scans of a window (``queries.SHORT_QUERY_WINDOW``).
"""

from __future__ import annotations

from alembic import op

from teamassist.feedback import grams

revision = "feedback_0003"
down_revision = "feedback_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if not grams.served(op.get_bind().dialect):
        return
    for statement in grams.CREATE:
        op.execute(statement)
    grams.backfill(op.get_bind())


def downgrade() -> None:
    if not grams.served(op.get_bind().dialect):
        return
    for statement in grams.DROP:
        op.execute(statement)
