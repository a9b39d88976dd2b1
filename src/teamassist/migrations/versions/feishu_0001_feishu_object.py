"""feishu: the objects the workspace tools made (tasks, events, documents, folders)

Revision ID: feishu_0001
Revises:
Create Date: 2026-12-01 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "feishu_0001"
down_revision = None
branch_labels = ("feishu",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "feishu_object",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=191), nullable=False),
        sa.Column("object_id", sa.String(length=128), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("state", sa.JSON(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.Column("updated_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_feishu_object_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feishu_object")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_feishu_object_kind_key")),
    )
    op.create_index("ix_feishu_object_object_id", "feishu_object", ["object_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_feishu_object_object_id", table_name="feishu_object")
    op.drop_table("feishu_object")
