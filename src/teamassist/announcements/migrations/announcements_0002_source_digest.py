"""announcements: what an Idempotency-Key was first sent with

``announcement.source_digest``: the SHA-256 (hex) of a REST request's author and body, kept
with its ``source_key`` so the key reused for another request is refused instead of answered
as a retry. Rows from before have none and keep answering their retries as they did.

Revision ID: announcements_0002
Revises: announcements_0001
Create Date: 2026-12-02 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "announcements_0002"
down_revision = "announcements_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column: no table rebuild's worth of data to fill, on any backend.
    with op.batch_alter_table("announcement") as batch_op:
        batch_op.add_column(sa.Column("source_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("announcement") as batch_op:
        batch_op.drop_column("source_digest")
