"""team: the team a person in several teams acts for in chats no channel binds

A person in teams A and B, told to ``/值班签到`` for B, was refused from the web chat and the
chat API: a direct chat always landed in their first team (tester F4, session 20).
``team_membership.chosen`` marks the one ``/切换团队`` chose (false everywhere before).

Revision ID: team_0007
Revises: team_0006
Create Date: 2026-12-03 18:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "team_0007"
down_revision = "team_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("team_membership") as batch_op:
        batch_op.add_column(
            sa.Column("chosen", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("team_membership") as batch_op:
        batch_op.drop_column("chosen")
