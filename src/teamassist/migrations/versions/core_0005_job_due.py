"""Scheduler: each (job, team)'s next due time, and the claim token of a bulk claim.

Revision ID: core_0005
Revises: core_0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "core_0005"
down_revision = "core_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_due",
        sa.Column("job_key", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("due_at", teamassist.database.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("job_key", "team_id", name=op.f("pk_job_due")),
    )
    with op.batch_alter_table("job_due") as batch_op:
        batch_op.create_index("ix_job_due_due_at", ["due_at"], unique=False)
    with op.batch_alter_table("job_run") as batch_op:
        batch_op.add_column(sa.Column("claim", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_run") as batch_op:
        batch_op.drop_column("claim")
    with op.batch_alter_table("job_due") as batch_op:
        batch_op.drop_index("ix_job_due_due_at")
    op.drop_table("job_due")
