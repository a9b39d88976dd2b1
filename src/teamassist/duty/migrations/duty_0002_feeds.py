"""duty: secret calendar feed tokens (iCal subscriptions)

Revision ID: duty_0002
Revises: duty_0001
Create Date: 2026-11-22 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "duty_0002"
down_revision = "duty_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "duty_feed_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("rotation_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", teamassist.database.UTCDateTime(), nullable=True),
        sa.Column("last_used_at", teamassist.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["member.id"],
            name=op.f("fk_duty_feed_token_created_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_duty_feed_token_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rotation_id"],
            ["duty_rotation.id"],
            name=op.f("fk_duty_feed_token_rotation_id_duty_rotation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_duty_feed_token_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_feed_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_duty_feed_token_token_hash")),
    )
    with op.batch_alter_table("duty_feed_token", schema=None) as batch_op:
        batch_op.create_index("ix_duty_feed_token_team", ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("duty_feed_token", schema=None) as batch_op:
        batch_op.drop_index("ix_duty_feed_token_team")
    op.drop_table("duty_feed_token")
