"""Core: a notice keeps the time its sender asked for, apart from a chat's quiet hours

``outbox_message.next_attempt_at`` mixed the two: a notice held by a chat's quiet hours could
not be released when those hours were cleared, since nothing said when it had been meant to go
(tester F18, session 18). ``not_before`` (nullable; rows queued earlier keep NULL and are left
as they are) is that time; ``outbox.service.retime_quiet`` re-times from it.

Revision ID: core_0007
Revises: core_0006
Create Date: 2026-12-03 10:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from teamassist.database import UTCDateTime

revision = "core_0007"
down_revision = "core_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.add_column(sa.Column("not_before", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_column("not_before")
