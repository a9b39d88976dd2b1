"""team: platform tenant kinds and the unbound-chat hint log

``platform_tenant.kind`` says what a bound tenant is (QQ guild, group or the bot's private
chats; a Feishu tenant) so the directory asks the right API; ``unbound_chat_notice`` remembers
when a chat nobody has bound was last told about ``/绑定`` (once a day at most).

Revision ID: team_0003
Revises: team_0002
Create Date: 2026-11-30 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "team_0003"
down_revision = "team_0002"
branch_labels = None
depends_on = None

UTC = teamassist.database.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("platform_tenant") as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="", nullable=False)
        )
    op.create_table(
        "unbound_chat_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("tenant_key", sa.String(length=128), nullable=False),
        sa.Column("chat_key", sa.String(length=200), nullable=False),
        sa.Column("told_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unbound_chat_notice")),
        sa.UniqueConstraint(
            "platform", "chat_key", name=op.f("uq_unbound_chat_notice_platform_chat_key")
        ),
    )


def downgrade() -> None:
    op.drop_table("unbound_chat_notice")
    with op.batch_alter_table("platform_tenant") as batch_op:
        batch_op.drop_column("kind")
