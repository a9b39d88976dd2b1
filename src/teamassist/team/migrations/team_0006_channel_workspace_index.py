"""team: index channel (workspace_id, team_id), for the workspace-wide channels of a batch

A scheduled batch reads its teams' channels and the workspace-wide ones (``team_id IS NULL``)
in one query; without this index the second half read every channel of the workspace (two per
team: 20,000 rows at 10,000 teams) for each batch of 500 teams.

Revision ID: team_0006
Revises: team_0005
Create Date: 2026-12-01 04:30:00
"""

from __future__ import annotations

from alembic import op

revision = "team_0006"
down_revision = "team_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_channel_workspace_id_team_id", "channel", ["workspace_id", "team_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_channel_workspace_id_team_id", table_name="channel")
