"""qq: proactive message usage per destination and period

Revision ID: qq_0001
Revises:
Create Date: 2026-11-22 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "qq_0001"
down_revision = None
branch_labels = ("qq",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "qq_proactive_usage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("updated_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qq_proactive_usage")),
        sa.UniqueConstraint("address", "period", name=op.f("uq_qq_proactive_usage_address_period")),
    )


def downgrade() -> None:
    op.drop_table("qq_proactive_usage")
