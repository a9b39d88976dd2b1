"""Core: one store of REST Idempotency-Keys, keyed by caller and key

``idempotency_key`` holds each caller's key with a digest of the request that first sent it
and what that request made and answered, for every create that honours the header (OKR
objectives and key results now, announcements, whose keys lived in
``announcement.source_key``: they are copied here by ``announcements_0004``).

Revision ID: core_0008
Revises: core_0007
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "core_0008"
down_revision = "core_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("caller", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("resource", sa.String(length=64), nullable=True),
        sa.Column("label", sa.String(length=120), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("created_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_idempotency_key_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_key")),
        sa.UniqueConstraint(
            "workspace_id",
            "caller",
            "key",
            name=op.f("uq_idempotency_key_workspace_id_caller_key"),
        ),
    )


def downgrade() -> None:
    op.drop_table("idempotency_key")
