"""okr: a deleted short id is remembered with its cycle

``okr_deleted_ref`` keeps the cycle, kind (``O``/``KR``), number, title and time of each
deleted O and KR, so a /删除KR retried within minutes (or one that lost its race) is told the
KR is already deleted, never sent on to the same number in another cycle (tester s27 C-5).

Revision ID: okr_0004
Revises: okr_0003
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "okr_0004"
down_revision = "okr_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "okr_deleted_ref",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("deleted_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["okr_cycle.id"],
            name=op.f("fk_okr_deleted_ref_cycle_id_okr_cycle"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_okr_deleted_ref")),
    )
    with op.batch_alter_table("okr_deleted_ref", schema=None) as batch_op:
        batch_op.create_index(
            "ix_okr_deleted_ref_cycle_kind_number", ["cycle_id", "kind", "number"], unique=False
        )


def downgrade() -> None:
    op.drop_table("okr_deleted_ref")
