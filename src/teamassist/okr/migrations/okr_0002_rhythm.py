"""okr rhythm: check-in reminders sent, and retrospectives (复盘)

``okr_reminder`` counts each stale KR's reminders (one per team-local date) so the ones still
stale after N reach the director's digest; ``okr_retro`` holds one objective's 复盘.

Revision ID: okr_0002
Revises: okr_0001
Create Date: 2026-11-30 17:59:20.899009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "okr_0002"
down_revision = "okr_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "okr_retro",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("went_well", sa.Text(), nullable=False),
        sa.Column("to_improve", sa.Text(), nullable=False),
        sa.Column("follow_up", sa.Text(), nullable=True),
        sa.Column("carried", sa.JSON(), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", teamassist.database.UTCDateTime(), nullable=True),
        sa.Column("created_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.Column("updated_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["member.id"],
            name=op.f("fk_okr_retro_acknowledged_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["okr_objective.id"],
            name=op.f("fk_okr_retro_objective_id_okr_objective"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_okr_retro_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_okr_retro_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_okr_retro")),
        sa.UniqueConstraint("objective_id", name=op.f("uq_okr_retro_objective_id")),
    )
    with op.batch_alter_table("okr_retro", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_okr_retro_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "okr_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("key_result_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("sent_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_result_id"],
            ["okr_key_result.id"],
            name=op.f("fk_okr_reminder_key_result_id_okr_key_result"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_okr_reminder_member_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_okr_reminder_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_okr_reminder")),
        sa.UniqueConstraint(
            "key_result_id", "local_date", name=op.f("uq_okr_reminder_key_result_id_local_date")
        ),
    )
    with op.batch_alter_table("okr_reminder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_okr_reminder_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("okr_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_okr_reminder_team_id"))

    op.drop_table("okr_reminder")
    with op.batch_alter_table("okr_retro", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_okr_retro_workspace_id"))

    op.drop_table("okr_retro")
