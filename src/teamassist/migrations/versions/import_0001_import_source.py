"""import: which source row became which row here (idempotent imports)

Revision ID: import_0001
Revises:
Create Date: 2026-11-22 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "import_0001"
down_revision = None
branch_labels = ("import",)
# The importer writes members, rotations, sign-ins and feedback items.
depends_on = ("feedback_0001", "duty_0002")


def upgrade() -> None:
    op.create_table(
        "import_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("source_system", sa.String(length=32), nullable=False),
        sa.Column("source_table", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=128), nullable=False),
        sa.Column("target_table", sa.String(length=64), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("imported_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_import_source_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_source")),
        sa.UniqueConstraint(
            "workspace_id",
            "source_system",
            "source_table",
            "source_id",
            name="uq_import_source_row",
        ),
    )


def downgrade() -> None:
    op.drop_table("import_source")
