"""announcements: a scheduled announcement can be cancelled before it goes out

``announcement.cancelled_at`` (when) and ``cancelled_by_id`` (who; NULL once that member is
gone, or for the workspace owner's token): a cancelled announcement keeps its row and its
recipients, so its receipts say 已取消; its pending notices are withdrawn in the same
transaction. Rows from before are not cancelled.

Revision ID: announcements_0003
Revises: announcements_0002
Create Date: 2026-12-03 00:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "announcements_0003"
down_revision = "announcements_0002"
branch_labels = None
depends_on = None

FK = "fk_announcement_cancelled_by_id_member"


def upgrade() -> None:
    with op.batch_alter_table("announcement") as batch_op:
        batch_op.add_column(
            sa.Column("cancelled_at", teamassist.database.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f(FK), "member", ["cancelled_by_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("announcement") as batch_op:
        batch_op.drop_constraint(op.f(FK), type_="foreignkey")
        batch_op.drop_column("cancelled_by_id")
        batch_op.drop_column("cancelled_at")
