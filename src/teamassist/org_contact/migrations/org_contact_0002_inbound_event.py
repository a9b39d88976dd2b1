"""org_contact: a message records the chat event that carried it

The inbox row of that event holds the sender's platform id and name, and the acknowledgement
queued back to them is keyed by it; with the event's key on the message, the workspace export
can withhold both for anonymous messages. Messages sent before this stay without one (their
inbox rows are purged after ``chat.inbox_days`` anyway).

Revision ID: org_contact_0002
Revises: org_contact_0001
Create Date: 2026-12-01 10:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "org_contact_0002"
down_revision = "org_contact_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("org_message") as batch_op:
        batch_op.add_column(sa.Column("inbound_platform", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("inbound_tenant", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("inbound_event_id", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("org_message") as batch_op:
        batch_op.drop_column("inbound_event_id")
        batch_op.drop_column("inbound_tenant")
        batch_op.drop_column("inbound_platform")
