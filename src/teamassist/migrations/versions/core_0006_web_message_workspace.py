"""Core: a web notice keeps its workspace (feeds, export and deletion no longer need the outbox)

``web_message`` found its workspace only through its outbox row, which retention purges after
``chat.outbox_days``: older notices vanished from the feeds, and were neither exported nor
deleted with their workspace. A delivery finishing after its workspace was deleted also left a
row behind. Now each row has ``workspace_id`` (ON DELETE CASCADE), filled from the outbox here;
rows whose outbox row is already gone belong to nobody any more (no feed showed them) and are
deleted.

Revision ID: core_0006
Revises: core_0005
Create Date: 2026-12-01 11:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "core_0006"
down_revision = "core_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_message") as batch_op:
        batch_op.add_column(sa.Column("workspace_id", sa.Integer(), nullable=True))
    web = sa.table("web_message", sa.column("outbox_id", sa.Integer), sa.column("workspace_id"))
    outbox = sa.table("outbox_message", sa.column("id", sa.Integer), sa.column("workspace_id"))
    op.execute(
        web.update().values(
            workspace_id=sa.select(outbox.c.workspace_id)
            .where(outbox.c.id == web.c.outbox_id)
            .scalar_subquery()
        )
    )
    op.execute(web.delete().where(~web.c.outbox_id.in_(sa.select(outbox.c.id))))
    with op.batch_alter_table("web_message") as batch_op:
        batch_op.create_index("ix_web_message_workspace_id", ["workspace_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_web_message_workspace_id_workspace",
            "workspace",
            ["workspace_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("web_message") as batch_op:
        batch_op.drop_constraint("fk_web_message_workspace_id_workspace", type_="foreignkey")
        batch_op.drop_index("ix_web_message_workspace_id")
        batch_op.drop_column("workspace_id")
