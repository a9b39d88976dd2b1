"""toy: notes (tests only)

Revision ID: toy_0001
Revises:
Create Date: 2026-11-30 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "toy_0001"
down_revision = None
branch_labels = ("toy",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "toy_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("created_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_toy_note_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_toy_note")),
    )


def downgrade() -> None:
    op.drop_table("toy_note")
