"""okr: a deleted O or KR is remembered by its database id too

``okr_deleted_ref.row_id`` (nullable; rows kept before have none) is the deleted row's id, as
REST names it: a DELETE that lost its race to another delete of the same O (or a retry)
answers 404 「已经删除了」 (``objective_gone``), never 「找不到目标」 (``no_objective``) for the
same state (tester s28's c7b2fae re-check).

Revision ID: okr_0005
Revises: okr_0004
Create Date: 2026-12-04 21:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "okr_0005"
down_revision = "okr_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("okr_deleted_ref", schema=None) as batch_op:
        batch_op.add_column(sa.Column("row_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_okr_deleted_ref_kind_row_id", ["kind", "row_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("okr_deleted_ref", schema=None) as batch_op:
        batch_op.drop_index("ix_okr_deleted_ref_kind_row_id")
        batch_op.drop_column("row_id")
