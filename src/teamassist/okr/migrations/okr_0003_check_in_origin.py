"""okr: where a check-in came from, so a pressed card records it once

``okr_check_in.origin`` names the Feishu card a check-in was pressed on (``card:<message id>``);
unique with the KR, so a second press of an old card cannot record a second check-in (NULL for
typed check-ins, which may repeat).

Revision ID: okr_0003
Revises: okr_0002
Create Date: 2026-12-01 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "okr_0003"
down_revision = "okr_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("okr_check_in", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=160), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_okr_check_in_key_result_id_origin"), ["key_result_id", "origin"]
        )


def downgrade() -> None:
    with op.batch_alter_table("okr_check_in", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_okr_check_in_key_result_id_origin"), type_="unique")
        batch_op.drop_column("origin")
