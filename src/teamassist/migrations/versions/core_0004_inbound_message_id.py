"""Inbox: one row per platform message (a message pushed again under a new event id is dropped).

Revision ID: core_0004
Revises: core_0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "core_0004"
down_revision = "core_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_event") as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.String(length=128), nullable=True))
        # NULL (web chat, CLI, button presses) never collides: only platform messages are keyed.
        batch_op.create_unique_constraint(
            op.f("uq_inbound_event_platform_tenant_key_message_id"),
            ["platform", "tenant_key", "message_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_event") as batch_op:
        batch_op.drop_constraint(
            op.f("uq_inbound_event_platform_tenant_key_message_id"), type_="unique"
        )
        batch_op.drop_column("message_id")
