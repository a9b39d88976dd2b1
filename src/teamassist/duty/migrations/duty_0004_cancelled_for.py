"""duty: whose departure cancelled a cover or a swap, so calling it off restores them

Revision ID: duty_0004
Revises: duty_0003
Create Date: 2026-12-02 16:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "duty_0004"
down_revision = "duty_0003"
branch_labels = None
depends_on = None

TABLES = ("duty_override", "duty_swap")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("cancelled_for_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_cancelled_for_id_member"),
                "member",
                ["cancelled_for_id"],
                ["id"],
                ondelete="SET NULL",
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                op.f(f"fk_{table}_cancelled_for_id_member"), type_="foreignkey"
            )
            batch_op.drop_column("cancelled_for_id")
