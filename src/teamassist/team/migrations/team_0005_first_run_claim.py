"""team: the first-run claim, so concurrent ``/setup`` submissions found one workspace

Revision ID: team_0005
Revises: team_0004
Create Date: 2026-12-01 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "team_0005"
down_revision = "team_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "first_run_claim",
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("claimed_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_first_run_claim_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slot", name=op.f("pk_first_run_claim")),
    )


def downgrade() -> None:
    op.drop_table("first_run_claim")
