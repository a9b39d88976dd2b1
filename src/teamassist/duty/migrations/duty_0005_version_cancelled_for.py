"""duty: whose departure withdrew a pending roster change, so calling it off restores it

Revision ID: duty_0005
Revises: duty_0004
Create Date: 2026-12-02 23:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "duty_0005"
down_revision = "duty_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("duty_rotation_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_for_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_duty_rotation_version_cancelled_for_id_member"),
            "member",
            ["cancelled_for_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("duty_rotation_version", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_duty_rotation_version_cancelled_for_id_member"), type_="foreignkey"
        )
        batch_op.drop_column("cancelled_for_id")
