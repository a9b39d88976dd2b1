"""duty: a revision on each rotation, changed by every edit of its schedule (spec cache)

Revision ID: duty_0003
Revises: duty_0002
Create Date: 2026-11-22 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "duty_0003"
down_revision = "duty_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("duty_rotation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("revision", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("duty_rotation", schema=None) as batch_op:
        batch_op.drop_column("revision")
