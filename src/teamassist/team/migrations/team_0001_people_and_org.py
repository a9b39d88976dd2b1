"""team: people, organisation, platform bindings and sign-in links (real teams)

Member 称呼, manager, deactivation and merges; sub-teams with leaders, the director (负责人) and
the core group; binding codes for ``/绑定``; per-member web sessions that expire; single-use
sign-in links; directory profiles on platform identities; the (team, purpose) channel index.

Revision ID: team_0001
Revises:
Create Date: 2026-11-30 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "team_0001"
down_revision = None
branch_labels = ("team",)
depends_on = "core_0004"

UTC = teamassist.database.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("member") as batch_op:
        batch_op.add_column(sa.Column("address_as", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("manager_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("deactivated_at", UTC(), nullable=True))
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_member_manager_id_member"),
            "member",
            ["manager_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_member_merged_into_id_member"),
            "member",
            ["merged_into_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_member_manager_id"), ["manager_id"], unique=False)

    with op.batch_alter_table("team") as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("leader_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("director_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("director_welcomed_at", UTC(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_team_parent_id_team"), "team", ["parent_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_team_leader_id_member"),
            "member",
            ["leader_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_team_director_id_member"),
            "member",
            ["director_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_team_parent_id"), ["parent_id"], unique=False)

    with op.batch_alter_table("team_membership") as batch_op:
        batch_op.add_column(
            sa.Column("core", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("platform_identity") as batch_op:
        batch_op.add_column(sa.Column("profile", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("synced_at", UTC(), nullable=True))

    with op.batch_alter_table("platform_tenant") as batch_op:
        batch_op.add_column(
            sa.Column("name", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("bound_at", UTC(), nullable=True))
        batch_op.add_column(sa.Column("bound_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_platform_tenant_bound_by_id_member"),
            "member",
            ["bound_by_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("channel") as batch_op:
        batch_op.create_index("ix_channel_team_id_purpose", ["team_id", "purpose"], unique=False)

    with op.batch_alter_table("web_session") as batch_op:
        batch_op.alter_column("account_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("expires_at", UTC(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_web_session_member_id_member"),
            "member",
            ["member_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(batch_op.f("ix_web_session_member_id"), ["member_id"], unique=False)

    op.create_table(
        "binding_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("expires_at", UTC(), nullable=False),
        sa.Column("used_at", UTC(), nullable=True),
        sa.Column("used_tenant_key", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_binding_code_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["member.id"],
            name=op.f("fk_binding_code_created_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_binding_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_binding_code_code_hash")),
    )
    with op.batch_alter_table("binding_code") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_binding_code_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "sign_in_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("expires_at", UTC(), nullable=False),
        sa.Column("used_at", UTC(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_sign_in_link_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_in_link_token_hash")),
    )
    with op.batch_alter_table("sign_in_link") as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_link_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sign_in_link") as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_link_member_id"))
    op.drop_table("sign_in_link")
    with op.batch_alter_table("binding_code") as batch_op:
        batch_op.drop_index(batch_op.f("ix_binding_code_workspace_id"))
    op.drop_table("binding_code")
    op.execute("DELETE FROM web_session WHERE account_id IS NULL")
    with op.batch_alter_table("web_session") as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_member_id"))
        batch_op.drop_constraint(batch_op.f("fk_web_session_member_id_member"), type_="foreignkey")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("member_id")
        batch_op.alter_column("account_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("channel") as batch_op:
        batch_op.drop_index("ix_channel_team_id_purpose")
    with op.batch_alter_table("platform_tenant") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_platform_tenant_bound_by_id_member"), type_="foreignkey"
        )
        batch_op.drop_column("bound_by_id")
        batch_op.drop_column("bound_at")
        batch_op.drop_column("name")
    with op.batch_alter_table("platform_identity") as batch_op:
        batch_op.drop_column("synced_at")
        batch_op.drop_column("profile")
    with op.batch_alter_table("team_membership") as batch_op:
        batch_op.drop_column("core")
    with op.batch_alter_table("team") as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_parent_id"))
        batch_op.drop_constraint(batch_op.f("fk_team_director_id_member"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_team_leader_id_member"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_team_parent_id_team"), type_="foreignkey")
        batch_op.drop_column("director_welcomed_at")
        batch_op.drop_column("director_id")
        batch_op.drop_column("leader_id")
        batch_op.drop_column("parent_id")
    with op.batch_alter_table("member") as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_manager_id"))
        batch_op.drop_constraint(batch_op.f("fk_member_merged_into_id_member"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_member_manager_id_member"), type_="foreignkey")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("deactivated_at")
        batch_op.drop_column("manager_id")
        batch_op.drop_column("address_as")
