"""feedback repeat key: the same report within ten minutes is stored once

Revision ID: feedback_0005
Revises: feedback_0004
Create Date: 2026-12-04 13:10:00

A nullable ``repeat_key`` on ``feedback_item`` under a UNIQUE index (``feedback.repeats``).
Items stored before it keep NULL, which a unique index never compares equal: the guard starts
with the next report. ``add_column``, not a batch migration: on SQLite a batch copies the
table and would drop the search triggers of feedback_0002.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "feedback_0005"
down_revision = "feedback_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("feedback_item", sa.Column("repeat_key", sa.String(length=64), nullable=True))
    op.create_index("ux_feedback_item_repeat_key", "feedback_item", ["repeat_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_feedback_item_repeat_key", table_name="feedback_item")
    op.drop_column("feedback_item", "repeat_key")
