"""team: personal API tokens (a member's own key, acting with the member's role)

Revision ID: team_0002
Revises: team_0001
Create Date: 2026-11-30 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "team_0002"
down_revision = "team_0001"
branch_labels = None
depends_on = None

UTC = teamassist.database.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "personal_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("revoked_at", UTC(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_personal_token_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_personal_token_token_hash")),
    )
    with op.batch_alter_table("personal_token") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_personal_token_member_id"), ["member_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("personal_token") as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_token_member_id"))
    op.drop_table("personal_token")
