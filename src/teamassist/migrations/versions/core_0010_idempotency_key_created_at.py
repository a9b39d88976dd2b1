"""Core: idempotency_key.created_at indexed, for the sweep that deletes old keys

``http.idempotency.IdempotencySweep`` deletes the keys first sent more than
``retention.idempotency_days`` ago, hourly, in one statement: the index keeps it from reading
the whole store. Nothing else changes.

Revision ID: core_0010
Revises: core_0009
Create Date: 2026-12-05 00:20:00
"""

from __future__ import annotations

from alembic import op

revision = "core_0010"
down_revision = "core_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_idempotency_key_created_at", "idempotency_key", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_key_created_at", table_name="idempotency_key")
