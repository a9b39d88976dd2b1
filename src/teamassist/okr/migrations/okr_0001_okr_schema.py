"""okr: cycles, objectives, key results, contributors, alignment and check-ins

The OKR desk's own branch. Cycles per team (year, halves, quarters, optional months) with their
grading window; objectives and key results with short numbers per team and cycle; contributors;
an alignment graph (O or KR → parent O); append-only check-ins.

Revision ID: okr_0001
Revises:
Create Date: 2026-11-30 14:27:18.539104
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "okr_0001"
down_revision = None
branch_labels = ("okr",)
depends_on = "team_0001"


def upgrade() -> None:
    op.create_table(
        "okr_contributor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_okr_contributor_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_okr_contributor")),
        sa.UniqueConstraint(
            "target_type",
            "target_id",
            "member_id",
            name=op.f("uq_okr_contributor_target_type_target_id_member_id"),
        ),
    )
    with op.batch_alter_table("okr_contributor", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_okr_contributor_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "okr_cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("grading_until", sa.Date(), nullable=False),
        sa.Column("closed_at", teamassist.database.UTCDateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("reopened_at", teamassist.database.UTCDateTime(), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("created_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.Column("updated_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["member.id"],
            name=op.f("fk_okr_cycle_closed_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["okr_cycle.id"],
            name=op.f("fk_okr_cycle_parent_id_okr_cycle"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_okr_cycle_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_okr_cycle_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_okr_cycle")),
        sa.UniqueConstraint(
            "team_id", "kind", "year", "index", name=op.f("uq_okr_cycle_team_id_kind_year_index")
        ),
    )
    with op.batch_alter_table("okr_cycle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_okr_cycle_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "okr_objective",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("okr_type", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("progress_mode", sa.String(length=16), nullable=False),
        sa.Column("published_at", teamassist.database.UTCDateTime(), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("score_reason", sa.Text(), nullable=True),
        sa.Column("created_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.Column("updated_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["okr_cycle.id"],
            name=op.f("fk_okr_objective_cycle_id_okr_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["member.id"],
            name=op.f("fk_okr_objective_owner_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_okr_objective_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_okr_objective_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_okr_objective")),
        sa.UniqueConstraint(
            "cycle_id", "team_id", "number", name=op.f("uq_okr_objective_cycle_id_team_id_number")
        ),
    )
    with op.batch_alter_table("okr_objective", schema=None) as batch_op:
        batch_op.create_index(
            "ix_okr_objective_owner_cycle", ["owner_id", "cycle_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_okr_objective_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "okr_alignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("child_type", sa.String(length=16), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["member.id"],
            name=op.f("fk_okr_alignment_created_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["okr_objective.id"],
            name=op.f("fk_okr_alignment_parent_id_okr_objective"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_okr_alignment_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_okr_alignment")),
        sa.UniqueConstraint(
            "child_type",
            "child_id",
            "parent_id",
            name=op.f("uq_okr_alignment_child_type_child_id_parent_id"),
        ),
    )
    with op.batch_alter_table("okr_alignment", schema=None) as batch_op:
        batch_op.create_index("ix_okr_alignment_parent", ["parent_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_okr_alignment_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "okr_key_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("start_value", sa.Double(), nullable=True),
        sa.Column("target_value", sa.Double(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("milestones", sa.JSON(), nullable=True),
        sa.Column("current_value", sa.Double(), nullable=True),
        sa.Column("confidence", sa.Integer(), nullable=True),
        sa.Column("last_checkin_at", teamassist.database.UTCDateTime(), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("score_reason", sa.Text(), nullable=True),
        sa.Column("created_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.Column("updated_at", teamassist.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["okr_cycle.id"],
            name=op.f("fk_okr_key_result_cycle_id_okr_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["okr_objective.id"],
            name=op.f("fk_okr_key_result_objective_id_okr_objective"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["member.id"],
            name=op.f("fk_okr_key_result_owner_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_okr_key_result_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_okr_key_result_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_okr_key_result")),
        sa.UniqueConstraint(
            "cycle_id", "team_id", "number", name=op.f("uq_okr_key_result_cycle_id_team_id_number")
        ),
    )
    with op.batch_alter_table("okr_key_result", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_okr_key_result_objective_id"), ["objective_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_okr_key_result_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "okr_check_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_result_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("confidence", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", teamassist.database.UTCDateTime(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["member.id"],
            name=op.f("fk_okr_check_in_author_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["key_result_id"],
            ["okr_key_result.id"],
            name=op.f("fk_okr_check_in_key_result_id_okr_key_result"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_okr_check_in")),
    )
    with op.batch_alter_table("okr_check_in", schema=None) as batch_op:
        batch_op.create_index("ix_okr_check_in_kr_at", ["key_result_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("okr_check_in", schema=None) as batch_op:
        batch_op.drop_index("ix_okr_check_in_kr_at")

    op.drop_table("okr_check_in")
    with op.batch_alter_table("okr_key_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_okr_key_result_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_okr_key_result_objective_id"))

    op.drop_table("okr_key_result")
    with op.batch_alter_table("okr_alignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_okr_alignment_workspace_id"))
        batch_op.drop_index("ix_okr_alignment_parent")

    op.drop_table("okr_alignment")
    with op.batch_alter_table("okr_objective", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_okr_objective_workspace_id"))
        batch_op.drop_index("ix_okr_objective_owner_cycle")

    op.drop_table("okr_objective")
    with op.batch_alter_table("okr_cycle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_okr_cycle_workspace_id"))

    op.drop_table("okr_cycle")
    with op.batch_alter_table("okr_contributor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_okr_contributor_member_id"))

    op.drop_table("okr_contributor")
