"""team: a person's name compared as people read it (member.name_key), names held after a rename

``member.name_key`` is the name folded (NFKC + casefold) without any blank character (spaces,
U+3000, zero-width and the letters that draw nothing): the look-alike rule compares it, so
「王　管理」 beside 「王管理」 is refused on every backend (tester s28 E-11; before, the rule
compared the stored text, which MariaDB's collation folded and the others did not). Filled for
every row; two people who already share one are left as they are (the rule refuses the next).

``name_hold`` keeps a handle or name someone gave up by a rename from everyone else for a while
(tester s28 D-4: the owner's old handle ``admin`` was taken the next minute). It starts empty.

Revision ID: team_0012
Revises: team_0011
Create Date: 2026-12-05 00:10:00
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from teamassist.database import UTCDateTime

revision = "team_0012"
down_revision = "team_0011"
branch_labels = None
depends_on = None

FOLDED = sa.String(255).with_variant(
    mysql.VARCHAR(255, collation="utf8mb4_bin"), "mysql", "mariadb"
)
BATCH = 1000
# Frozen copy of teamassist.team.names.blank as of this revision (migrations never change).
_BLANK_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0xE0000, 0xE0FFF),
)


def _blank(char: str) -> bool:
    if char.isspace() or unicodedata.category(char) in {"Cf", "Cc"}:
        return True
    return any(low <= ord(char) <= high for low, high in _BLANK_RANGES)


def _key(name: str) -> str:
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return "".join(c for c in folded if not _blank(c))[:255]


def _backfill() -> None:
    bind = op.get_bind()
    member = sa.table("member", sa.column("id"), sa.column("display_name"), sa.column("name_key"))
    rows = bind.execute(sa.select(member.c.id, member.c.display_name)).all()
    update = (
        sa.update(member)
        .where(member.c.id == sa.bindparam("row_id"))
        .values(name_key=sa.bindparam("key"))
    )
    for start in range(0, len(rows), BATCH):
        bind.execute(
            update,
            [{"row_id": row_id, "key": _key(name)} for row_id, name in rows[start : start + BATCH]],
        )


def upgrade() -> None:
    with op.batch_alter_table("member") as batch_op:
        batch_op.add_column(sa.Column("name_key", FOLDED, nullable=True))
    _backfill()
    with op.batch_alter_table("member") as batch_op:
        batch_op.alter_column("name_key", existing_type=FOLDED, nullable=False)
        batch_op.create_index("ix_member_workspace_id_name_key", ["workspace_id", "name_key"])
    op.create_table(
        "name_hold",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id",
            sa.Integer(),
            sa.ForeignKey(
                "workspace.id", name="fk_name_hold_workspace_id_workspace", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("name_key", FOLDED, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column(
            "member_id",
            sa.Integer(),
            sa.ForeignKey("member.id", name="fk_name_hold_member_id_member", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("until", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_name_hold"),
        sa.UniqueConstraint("workspace_id", "name_key", name="uq_name_hold_workspace_id_name_key"),
    )
    op.create_index("ix_name_hold_member_id", "name_hold", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_name_hold_member_id", table_name="name_hold")
    op.drop_table("name_hold")
    with op.batch_alter_table("member") as batch_op:
        batch_op.drop_index("ix_member_workspace_id_name_key")
        batch_op.drop_column("name_key")
